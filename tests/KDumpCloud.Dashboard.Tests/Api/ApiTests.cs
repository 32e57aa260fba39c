using System.Net;
using System.Text.Json;
using KDumpCloud.Dashboard.Tests.Support;
using KDumpCloud.Ingest.Model;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Dashboard.Tests.Api;

/// <summary>The JSON API over real HTTP, checked against the store it reads.</summary>
public sealed class ApiTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    private readonly HttpClient _http = fixture.Server.Http;

    [Fact]
    public async Task Groups_ListEveryLiveGroupWithItsCountsAndTrend()
    {
        var all = await fixture.Lab.Store.ListGroupsAsync(GroupOrder.Newest, 10_000);

        var json = await GetJsonAsync("/api/groups?limit=500");

        Assert.Equal(all.Count, json.GetProperty("total").GetInt32());
        var rows = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(all.Count, rows.Count);
        foreach (var row in rows)
        {
            var stored = all.Single(g => g.Id == row.GetProperty("fingerprint").GetString());
            Assert.Equal(stored.Count, row.GetProperty("count").GetInt64());
            Assert.Equal(stored.Signature, row.GetProperty("signature").GetString());
            Assert.Equal(stored.Machines.Count, row.GetProperty("machines").GetInt32());
            var trend = row.GetProperty("trend").EnumerateArray().Select(v => v.GetInt64()).ToList();
            Assert.Equal(30, trend.Count);
            Assert.Equal(stored.Count, trend.Sum()); // every occurrence here was received within 30 days
        }
    }

    [Fact]
    public async Task Groups_FilterByOsBuildAndText_MatchOnlyWhatTheStoreSays()
    {
        var byBuild = await GetJsonAsync("/api/groups?osBuild=19F101");
        var fingerprints = byBuild.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("fingerprint").GetString()).ToList();
        var expected = (await fixture.Lab.Store.ListGroupsAsync(GroupOrder.Newest, 10_000)).Where(g => g.OsBuilds.Contains("19F101")).Select(g => g.Id).ToList();
        Assert.Equal(expected.Order(), fingerprints.Order());
        Assert.Contains(fixture.TwoBuilds.GroupId, fingerprints);

        var byText = await GetJsonAsync("/api/groups?q=appletwobuilds");
        Assert.Equal(fixture.TwoBuilds.GroupId, Assert.Single(byText.GetProperty("groups").EnumerateArray()).GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Groups_SortedByCount_AreInDescendingOrder_AndPagesDoNotOverlap()
    {
        var first = await GetJsonAsync("/api/groups?sort=count&limit=5");
        var second = await GetJsonAsync("/api/groups?sort=count&limit=5&offset=5");
        var counts = first.GetProperty("groups").EnumerateArray().Concat(second.GetProperty("groups").EnumerateArray())
            .Select(g => g.GetProperty("count").GetInt64()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
        var ids = first.GetProperty("groups").EnumerateArray().Concat(second.GetProperty("groups").EnumerateArray())
            .Select(g => g.GetProperty("fingerprint").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Groups_MalformedQueryValues_AreIgnoredNotFatal()
    {
        var response = await _http.GetAsync("/api/groups?sort=%00drop&limit=-5&offset=abc&status=Merged&q=" + new string('x', 5000));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("regressions", json.GetProperty("query").GetProperty("sort").GetString());
        Assert.Equal(1, json.GetProperty("query").GetProperty("limit").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("query").GetProperty("status").ValueKind);
    }

    [Fact]
    public async Task Group_ShowsItsOccurrencesAndTheDecodedPanic()
    {
        var group = (await fixture.Lab.Store.FindGroupAsync(fixture.TwoBuilds.GroupId))!;

        var json = await GetJsonAsync("/api/groups/" + group.Id);

        Assert.Equal(group.Count, json.GetProperty("group").GetProperty("count").GetInt64());
        var occurrences = json.GetProperty("occurrences").EnumerateArray().ToList();
        Assert.Equal(2, occurrences.Count);
        Assert.Equal(["10.0.40.7", "10.0.41.8"], occurrences.Select(o => o.GetProperty("machine").GetString()).Order());
        Assert.Equal(group.Count, json.GetProperty("daily").EnumerateArray().Sum(v => v.GetInt64()));
        var panic = json.GetProperty("panic");
        Assert.Contains(panic.GetProperty("fingerprintComponents").EnumerateArray(), c => c.GetString()!.StartsWith("version=", StringComparison.Ordinal));
        Assert.Contains(panic.GetProperty("kexts").EnumerateArray(), k => k.GetProperty("bundleId").GetString() == "com.example.driver.test");
        Assert.NotEmpty(panic.GetProperty("frames").EnumerateArray());
        Assert.NotEmpty(panic.GetProperty("explanation").EnumerateArray());
    }

    [Fact]
    public async Task Group_Unknown_Is404()
    {
        var response = await _http.GetAsync("/api/groups/0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var tooLong = await _http.GetAsync("/api/groups/" + new string('a', 400));
        Assert.Equal(HttpStatusCode.NotFound, tooLong.StatusCode);
    }

    [Fact]
    public async Task Overview_AddsUpTheLiveGroups()
    {
        var groups = await fixture.Lab.Store.ListGroupsAsync(GroupOrder.Newest, 10_000);

        var json = await GetJsonAsync("/api/overview");

        Assert.Equal(groups.Count, json.GetProperty("groups").GetInt32());
        Assert.Equal(groups.Sum(g => g.Count), json.GetProperty("occurrences").GetInt64());
        Assert.Equal(groups.Sum(g => g.Count), json.GetProperty("crashesPerDay").EnumerateArray().Sum(v => v.GetInt64()));
        Assert.Equal(groups.Count(g => g.FirstSeen > DateTimeOffset.UtcNow.AddDays(-7)), json.GetProperty("newThisWeekCount").GetInt32());
        Assert.Equal(groups.MaxBy(g => g.LastSeen)!.Id, json.GetProperty("lastCrashGroup").GetString());
    }

    [CorpusFact]
    public async Task Overview_TopGroupsThisWeek_CountWhatTheGroupsRecordForTheLastSevenDays()
    {
        var json = await GetJsonAsync("/api/overview");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        foreach (var ranked in json.GetProperty("topThisWeek").EnumerateArray())
        {
            var group = (await fixture.Lab.Store.FindGroupAsync(ranked.GetProperty("group").GetProperty("fingerprint").GetString()!))!;
            var expected = group.DailyCounts.Where(d => d.Day > today.AddDays(-7)).Sum(d => d.Count);
            Assert.Equal(expected, ranked.GetProperty("lastWeek").GetInt64());
        }
    }

    [Fact]
    public async Task Dump_DownloadsTheBytesTheOccurrencePointsAt()
    {
        var response = await _http.GetAsync("/dumps/" + fixture.Hostile.DumpId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Lab.DumpsDirectory, fixture.Hostile.FileName)), bytes);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/dumps/" + Guid.NewGuid())).StatusCode);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
