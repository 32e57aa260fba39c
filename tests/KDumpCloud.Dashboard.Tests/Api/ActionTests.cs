using System.Net;
using System.Text.RegularExpressions;
using KDumpCloud.Dashboard.Tests.Support;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Dashboard.Tests.Api;

/// <summary>The actions as a browser posts them (form with its anti-forgery token and cookie), checked in the store.</summary>
public sealed partial class ActionTests : IAsyncLifetime
{
    private readonly LabStore _lab = new();
    private readonly CookieContainer _cookies = new();
    private DashboardServer _server = null!;
    private HttpClient _http = null!;
    private Occurrence _a = null!;
    private Occurrence _b = null!;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        _a = await _lab.AddTextAsync("paniclog-a", PanicTexts.Intel("AppleFirstBug", 1), now.AddHours(-5));
        _b = await _lab.AddTextAsync("paniclog-b", PanicTexts.Intel("AppleSecondBug", 2), now.AddHours(-4));
        _server = await DashboardServer.StartAsync(_lab);
        _http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = _server.Address };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _lab.Dispose();
    }

    [Fact]
    public async Task ResolveIgnoreReopen_ChangeTheStoredStatus()
    {
        foreach (var (status, expected) in new[] { ("resolved", GroupStatus.Resolved), ("ignored", GroupStatus.Ignored), ("open", GroupStatus.Open) })
        {
            var response = await PostAsync(_a.GroupId, "Status", ("status", status));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(expected, (await _lab.Store.FindGroupAsync(_a.GroupId))!.Status);
        }
    }

    [Fact]
    public async Task Merge_FoldsTheOtherGroupIn_AndItsOldLinkRedirects()
    {
        var response = await PostAsync(_a.GroupId, "Merge", ("from", _b.GroupId));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var survivor = (await _lab.Store.FindGroupAsync(_a.GroupId))!;
        Assert.Equal(2, survivor.Count);
        Assert.Equal(GroupStatus.Merged, (await _lab.Store.FindGroupAsync(_b.GroupId))!.Status);
        var old = await _http.GetAsync("/groups/" + _b.GroupId);
        Assert.Equal(HttpStatusCode.Redirect, old.StatusCode);
        Assert.Equal("/groups/" + _a.GroupId, old.Headers.Location!.OriginalString);
        var page = await _http.GetStringAsync("/groups/" + _a.GroupId);
        Assert.Contains("merged " + _b.GroupId + " into this group", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MergeIntoItselfOrWithAnUnknownGroup_IsRefusedWithTheReason()
    {
        await PostAsync(_a.GroupId, "Merge", ("from", _a.GroupId));
        var page = await _http.GetStringAsync("/groups/" + _a.GroupId);
        Assert.Contains("cannot be merged into itself", page, StringComparison.Ordinal);

        await PostAsync(_a.GroupId, "Merge", ("from", "0000000000000000000000000000dead"));
        page = await _http.GetStringAsync("/groups/" + _a.GroupId);
        Assert.Contains("there is no group 0000000000000000000000000000dead", page, StringComparison.Ordinal);
        Assert.Equal(1, (await _lab.Store.FindGroupAsync(_a.GroupId))!.Count);
    }

    /// <summary>Loads the group page for its form's token (and cookie), then posts the form as a browser would.</summary>
    private async Task<HttpResponseMessage> PostAsync(string groupId, string handler, params (string Name, string Value)[] fields)
    {
        var html = await _http.GetStringAsync("/groups/" + groupId);
        var token = Token().Match(html).Groups["token"].Value;
        Assert.NotEmpty(token);
        var form = fields.ToDictionary(f => f.Name, f => f.Value);
        form["__antiforgery"] = WebUtility.HtmlDecode(token);
        return await _http.PostAsync($"/groups/{groupId}?handler={handler}", new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex Token();
}
