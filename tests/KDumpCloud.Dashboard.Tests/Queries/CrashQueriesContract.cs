using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Querying;

namespace KDumpCloud.Dashboard.Tests.Queries;

/// <summary>What every <see cref="ICrashQueries"/> adapter must answer, given occurrences recorded through its store.</summary>
public abstract class CrashQueriesContract
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    protected abstract Task<(ICrashStore Store, ICrashQueries Queries)> CreateAsync();

    [Fact]
    public async Task QueryGroups_FiltersSortsAndPagesTheLiveGroups()
    {
        var (store, queries) = await CreateAsync();
        await store.RecordAsync(Occurrence("aaaa", "AppleAlpha", "24A335", Now.AddDays(-1)));
        await store.RecordAsync(Occurrence("aaaa", "AppleAlpha", "24B83", Now.AddHours(-2)));
        await store.RecordAsync(Occurrence("bbbb", "AppleBeta", "24A335", Now.AddDays(-3)));
        await store.RecordAsync(Occurrence("cccc", "AppleGamma", "23H124", Now.AddDays(-40)));
        await store.RecordAsync(Occurrence("dddd", "AppleDelta", "23H124", Now.AddDays(-5)));
        await store.SetStatusAsync("bbbb", GroupStatus.Resolved);
        await store.MergeAsync("cccc", "dddd");

        var all = await queries.QueryGroupsAsync(new GroupQuery());
        Assert.Equal(3, all.Total);
        Assert.DoesNotContain(all.Groups, g => g.Id == "dddd");
        Assert.Equal("bbbb", all.Groups[^1].Id); // resolved after the open ones

        var byCount = await queries.QueryGroupsAsync(new GroupQuery { Sort = GroupSort.Count });
        Assert.Equal(["aaaa", "cccc", "bbbb"], byCount.Groups.Select(g => g.Id));
        Assert.Equal(2, byCount.Groups[0].DailyCounts.Sum(d => d.Count));

        var build = await queries.QueryGroupsAsync(new GroupQuery { OsBuild = "24A335" });
        Assert.Equal(["aaaa", "bbbb"], build.Groups.Select(g => g.Id).Order());
        Assert.Contains(build.OsBuilds, f => f.Value == "24A335" && f.Groups == 2);

        var text = await queries.QueryGroupsAsync(new GroupQuery { Text = "applebeta" });
        Assert.Equal("bbbb", Assert.Single(text.Groups).Id);

        var resolved = await queries.QueryGroupsAsync(new GroupQuery { Status = GroupStatus.Resolved });
        Assert.Equal("bbbb", Assert.Single(resolved.Groups).Id);

        var page = await queries.QueryGroupsAsync(new GroupQuery { Sort = GroupSort.Count, Offset = 1, Limit = 1 });
        Assert.Equal(3, page.Total);
        Assert.Equal("cccc", Assert.Single(page.Groups).Id);
    }

    [Fact]
    public async Task Overview_CountsDaysNewGroupsAndTheLastCrash()
    {
        var (store, queries) = await CreateAsync();
        await store.RecordAsync(Occurrence("aaaa", "AppleAlpha", "24A335", Now.AddDays(-1)));
        await store.RecordAsync(Occurrence("aaaa", "AppleAlpha", "24A335", Now.AddHours(-2)));
        await store.RecordAsync(Occurrence("bbbb", "AppleBeta", "24A335", Now.AddDays(-20)));

        var overview = await queries.OverviewAsync(Now);

        Assert.Equal(3, overview.CrashesPerDay.Sum());
        Assert.Equal(1, overview.CrashesPerDay[^21]);
        Assert.Equal(1, overview.NewThisWeekCount);
        Assert.Equal("aaaa", Assert.Single(overview.TopThisWeek).Group.Id);
        Assert.Equal(2, overview.TopThisWeek[0].Occurrences);
        Assert.Equal("aaaa", overview.LastCrash!.Id);
        Assert.Equal(3, overview.Occurrences);
    }

    [Fact]
    public async Task FindPanicText_ReturnsWhatWasKeptWithTheOccurrence()
    {
        var (store, queries) = await CreateAsync();
        var occurrence = Occurrence("aaaa", "AppleAlpha", "24A335", Now) with { PanicText = "panic(cpu 0 caller 0x1): \"<b>kept</b>\"" };
        await store.RecordAsync(occurrence);

        Assert.Equal(occurrence.PanicText, await queries.FindPanicTextAsync(occurrence.DumpId));
        Assert.Null(await queries.FindPanicTextAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task EmptyStore_AnswersEmpty()
    {
        var (_, queries) = await CreateAsync();
        Assert.Equal(0, (await queries.QueryGroupsAsync(new GroupQuery())).Total);
        Assert.Null((await queries.OverviewAsync(Now)).LastCrash);
    }

    private static Occurrence Occurrence(string group, string signature, string build, DateTimeOffset receivedAt) => new()
    {
        DumpId = Guid.NewGuid(),
        GroupId = group,
        Fingerprint = group,
        FingerprintVersion = "kdc-fp-test",
        Signature = signature + " | trap",
        Kind = "trap type 14=page fault",
        Culprit = "com.example." + signature,
        PanicMessage = signature + " gave up",
        Status = OccurrenceStatus.Decoded,
        ReceivedAt = receivedAt,
        Client = "10.0.0.1:1069",
        Machine = "10.0.0.1",
        OsBuild = build,
        DumpLocation = "file:///tmp/" + group,
        FileName = group,
        Complete = true,
    };
}
