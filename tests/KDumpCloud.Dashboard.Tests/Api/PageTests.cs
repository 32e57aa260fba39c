using System.Net;
using System.Text.RegularExpressions;
using KDumpCloud.Dashboard.Tests.Support;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Dashboard.Tests.Api;

/// <summary>The pages as HTML over real HTTP: encoding of panic text, headers, 404s and the anti-forgery check.</summary>
public sealed partial class PageTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    private readonly HttpClient _http = fixture.Server.Http;

    [Theory]
    [InlineData("/")]
    [InlineData("/groups")]
    [InlineData("/groups?sort=Count&q=a")]
    public async Task Pages_AnswerWithTheContentSecurityPolicy(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task HostilePanicText_IsEncodedOnTheGroupPageTheListAndTheOverview()
    {
        foreach (var path in new[] { "/groups/" + fixture.Hostile.GroupId, "/groups?q=kdcPwned", "/" })
        {
            var html = await _http.GetStringAsync(path);
            Assert.DoesNotContain("<script>window.kdcPwned", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>bold</b>", html, StringComparison.Ordinal);
            if (path != "/")
            {
                // Shown, as text (the signature has the message's numbers templated out).
                Assert.Contains("&lt;script&gt;window.kdcPwned=", html, StringComparison.Ordinal);
            }
            // The only scripts on any page are the dashboard's own file.
            Assert.Equal(["/assets/dashboard.js"], ScriptTag().Matches(html).Select(m => m.Groups["src"].Value));
        }
    }

    [Fact]
    public async Task UnknownFingerprint_IsThe404Page()
    {
        var response = await _http.GetAsync("/groups/ffffffffffffffffffffffffffffffff");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("There is no crash group <code>ffffffffffffffffffffffffffffffff</code>", html, StringComparison.Ordinal);

        var hostile = await _http.GetAsync("/groups/" + Uri.EscapeDataString("<script>alert(1)</script>"));
        Assert.Equal(HttpStatusCode.NotFound, hostile.StatusCode);
        Assert.DoesNotContain("<script>alert(1)", await hostile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPath_IsThe404Page()
    {
        var response = await _http.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no page at", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActionWithoutAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        var id = fixture.Hostile.GroupId;
        var response = await _http.PostAsync($"/groups/{id}?handler=Status", new FormUrlEncodedContent(new Dictionary<string, string> { ["status"] = "resolved" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(GroupStatus.Open, (await fixture.Lab.Store.FindGroupAsync(id))!.Status);
    }

    [Fact]
    public async Task GroupPage_ListsTheGroupsOccurrencesAndMacs()
    {
        var group = (await fixture.Lab.Store.FindGroupAsync(fixture.TwoBuilds.GroupId))!;
        var html = await _http.GetStringAsync("/groups/" + group.Id);
        foreach (var occurrence in await fixture.Lab.Store.ListOccurrencesAsync(group.Id, 100))
        {
            Assert.Contains($"data-dump=\"{occurrence.DumpId}\"", html, StringComparison.Ordinal);
            Assert.Contains($"/dumps/{occurrence.DumpId}", html, StringComparison.Ordinal);
        }

        Assert.Contains("<code>19E287</code>", html, StringComparison.Ordinal);
        Assert.Contains("<code>19F101</code>", html, StringComparison.Ordinal);
        Assert.Contains($"<dd id=\"count\">{group.Count}</dd>", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<script[^>]*src=\"(?<src>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();
}
