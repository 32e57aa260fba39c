using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Ingest.Tests.Stores;

/// <summary>
/// What every <see cref="ICrashStore"/> must do, run against each adapter (SQLite here, Table Storage on Azurite):
/// idempotent recording, no lost counts under concurrency, the grouping rule, status changes and merges.
/// </summary>
public abstract partial class CrashStoreContract
{
    protected FakeTimeProvider Time { get; } = new(TestOccurrences.Start.AddDays(1));

    /// <summary>A new, empty store of the adapter under test.</summary>
    protected abstract Task<ICrashStore> CreateStoreAsync();

    [Fact]
    public async Task FirstOccurrence_StartsAGroup()
    {
        var store = await CreateStoreAsync();
        var occurrence = TestOccurrences.For("aaaa");

        var result = await store.RecordAsync(occurrence);

        Assert.False(result.AlreadyRecorded);
        Assert.Equal(IngestOutcome.NewGroup, result.Outcome);
        var group = await store.FindGroupAsync("aaaa");
        Assert.NotNull(group);
        Assert.Equal(1, group.Count);
        Assert.Equal(GroupStatus.Open, group.Status);
        Assert.Equal(occurrence.DumpId, group.SampleDumpId);
        Assert.Equal(["10.0.40.7"], group.Machines);
        Assert.Equal(["24A335"], group.OsBuilds);
        var stored = await store.FindOccurrenceAsync(occurrence.DumpId);
        Assert.NotNull(stored);
        Assert.Equal(IngestOutcome.NewGroup, stored.Outcome);
        Assert.Equal(occurrence.PanicMessage, stored.PanicMessage);
    }

    [Fact]
    public async Task SameDumpTwice_CountsOnceAndRepeatsTheFirstOutcome()
    {
        var store = await CreateStoreAsync();
        var occurrence = TestOccurrences.For("bbbb");

        await store.RecordAsync(occurrence);
        var again = await store.RecordAsync(occurrence with { Machine = "10.0.40.99" });

        Assert.True(again.AlreadyRecorded);
        Assert.Equal(IngestOutcome.NewGroup, again.Outcome);
        Assert.Equal("10.0.40.7", again.Occurrence.Machine);
        Assert.Equal(1, (await store.FindGroupAsync("bbbb"))!.Count);
    }

    [Fact]
    public async Task ConcurrentDistinctDumps_NoCountIsLost()
    {
        var store = await CreateStoreAsync();
        var occurrences = Enumerable.Range(0, 24)
            .Select(i => TestOccurrences.For("cccc", machine: $"10.0.1.{i % 5}", receivedAt: TestOccurrences.Start.AddMinutes(i)))
            .ToList();

        var results = await Task.WhenAll(occurrences.Select(o => Task.Run(() => store.RecordAsync(o))));

        Assert.All(results, r => Assert.False(r.AlreadyRecorded));
        Assert.Single(results, r => r.Outcome == IngestOutcome.NewGroup);
        var group = (await store.FindGroupAsync("cccc"))!;
        Assert.Equal(24, group.Count);
        Assert.Equal(5, group.Machines.Count);
        Assert.Equal(TestOccurrences.Start, group.FirstSeen);
        Assert.Equal(TestOccurrences.Start.AddMinutes(23), group.LastSeen);
        Assert.Equal(24, (await store.ListOccurrencesAsync("cccc", 100)).Count);
    }

    [Fact]
    public async Task ConcurrentSameDump_CountsOnce()
    {
        var store = await CreateStoreAsync();
        var occurrence = TestOccurrences.For("dddd");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.RecordAsync(occurrence))));

        Assert.Single(results, r => !r.AlreadyRecorded);
        Assert.All(results, r => Assert.Equal(IngestOutcome.NewGroup, r.Outcome));
        Assert.Equal(1, (await store.FindGroupAsync("dddd"))!.Count);
    }

    [Fact]
    public async Task ResolvedGroupSeenAgain_IsARegressionAndReopens()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(TestOccurrences.For("eeee"));
        var resolved = await store.SetStatusAsync("eeee", GroupStatus.Resolved);
        Assert.Equal(GroupStatus.Resolved, resolved!.Status);

        var result = await store.RecordAsync(TestOccurrences.For("eeee"));

        Assert.Equal(IngestOutcome.Regression, result.Outcome);
        Assert.Contains("resolved", result.Occurrence.RegressionReason, StringComparison.Ordinal);
        Assert.Equal(GroupStatus.Open, (await store.FindGroupAsync("eeee"))!.Status);
    }

    [Fact]
    public async Task NewOsBuild_IsARegression_KnownBuildIsARepeat()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(TestOccurrences.For("ffff", osBuild: "24A335"));

        var known = await store.RecordAsync(TestOccurrences.For("ffff", osBuild: "24A335"));
        var newBuild = await store.RecordAsync(TestOccurrences.For("ffff", osBuild: "24B83"));

        Assert.Equal(IngestOutcome.Repeat, known.Outcome);
        Assert.Equal(IngestOutcome.Regression, newBuild.Outcome);
        Assert.Contains("24B83", newBuild.Occurrence.RegressionReason, StringComparison.Ordinal);
        Assert.Equal(["24A335", "24B83"], (await store.FindGroupAsync("ffff"))!.OsBuilds);
    }

    [Fact]
    public async Task IgnoredGroup_StaysIgnoredAndCounts()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(TestOccurrences.For("1111"));
        await store.SetStatusAsync("1111", GroupStatus.Ignored);

        var result = await store.RecordAsync(TestOccurrences.For("1111", osBuild: "25A1"));

        Assert.Equal(IngestOutcome.Repeat, result.Outcome);
        var group = (await store.FindGroupAsync("1111"))!;
        Assert.Equal(GroupStatus.Ignored, group.Status);
        Assert.Equal(2, group.Count);
    }

    [Fact]
    public async Task Merge_FoldsCountsAndRoutesLaterOccurrencesOfEither()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(TestOccurrences.For("2222", machine: "10.0.0.1", receivedAt: TestOccurrences.Start));
        await store.RecordAsync(TestOccurrences.For("3333", machine: "10.0.0.2", receivedAt: TestOccurrences.Start.AddHours(1)));
        await store.RecordAsync(TestOccurrences.For("3333", machine: "10.0.0.2", receivedAt: TestOccurrences.Start.AddHours(2)));

        var merged = await store.MergeAsync("2222", "3333");
        Assert.Equal(3, merged.Count);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], merged.Machines);
        Assert.Equal(TestOccurrences.Start.AddHours(2), merged.LastSeen);

        var later = await store.RecordAsync(TestOccurrences.For("3333", receivedAt: TestOccurrences.Start.AddHours(3)));
        Assert.Equal("2222", later.Occurrence.GroupId);
        Assert.Equal("3333", later.Occurrence.Fingerprint);
        Assert.Equal(4, (await store.FindGroupAsync("2222"))!.Count);
        var absorbed = (await store.FindGroupAsync("3333"))!;
        Assert.Equal(GroupStatus.Merged, absorbed.Status);
        Assert.Equal("2222", absorbed.MergedInto);

        Assert.Equal(4, (await store.ListOccurrencesAsync("2222", 100)).Count);
        Assert.DoesNotContain(await store.ListGroupsAsync(GroupOrder.Newest, 100), g => g.Id == "3333");
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.MergeAsync("2222", "3333"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetStatusAsync("3333", GroupStatus.Resolved));
    }

    [Fact]
    public async Task MergeOfAMergedIntoGroup_RepointsEarlierMerges()
    {
        var store = await CreateStoreAsync();
        foreach (var id in new[] { "4444", "5555", "6666" })
        {
            await store.RecordAsync(TestOccurrences.For(id));
        }

        await store.MergeAsync("5555", "6666");
        await store.MergeAsync("4444", "5555");

        var later = await store.RecordAsync(TestOccurrences.For("6666"));
        Assert.Equal("4444", later.Occurrence.GroupId);
        Assert.Equal(4, (await store.FindGroupAsync("4444"))!.Count);
        Assert.Equal("4444", (await store.FindGroupAsync("6666"))!.MergedInto);
    }

    [Fact]
    public async Task ListGroups_OrdersByNewestOrByCount()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(TestOccurrences.For("7777", receivedAt: TestOccurrences.Start.AddHours(5)));
        for (var i = 0; i < 3; i++)
        {
            await store.RecordAsync(TestOccurrences.For("8888", receivedAt: TestOccurrences.Start.AddHours(i)));
        }

        Assert.Equal(["7777", "8888"], (await store.ListGroupsAsync(GroupOrder.Newest, 10)).Select(g => g.Id));
        Assert.Equal(["8888", "7777"], (await store.ListGroupsAsync(GroupOrder.MostFrequent, 10)).Select(g => g.Id));
        Assert.Single(await store.ListGroupsAsync(GroupOrder.MostFrequent, 1));
    }

    [Fact]
    public async Task ListOccurrences_NewestFirstAndBounded()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.RecordAsync(TestOccurrences.For("9999", receivedAt: TestOccurrences.Start.AddMinutes(i)));
        }

        var newest = await store.ListOccurrencesAsync("9999", 2);
        Assert.Equal([TestOccurrences.Start.AddMinutes(4), TestOccurrences.Start.AddMinutes(3)], newest.Select(o => o.ReceivedAt));
        Assert.Empty(await store.ListOccurrencesAsync("no-such-group", 10));
    }

    [Fact]
    public async Task ManyDistinctMachines_ListStaysBoundedAndCountExact()
    {
        var store = await CreateStoreAsync();
        var total = GroupFolding.MaxListEntries + 5;
        for (var i = 0; i < total; i++)
        {
            await store.RecordAsync(TestOccurrences.For("abab", machine: $"10.1.{i / 256}.{i % 256}"));
        }

        var group = (await store.FindGroupAsync("abab"))!;
        Assert.Equal(total, group.Count);
        Assert.Equal(GroupFolding.MaxListEntries, group.Machines.Count);
        Assert.True(group.MachinesSaturated);
    }

    [Fact]
    public async Task UnknownGroup_StatusChangeReturnsNull_MergeThrows()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(TestOccurrences.For("cdcd"));

        Assert.Null(await store.SetStatusAsync("nope", GroupStatus.Resolved));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.MergeAsync("cdcd", "nope"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.MergeAsync("cdcd", "cdcd"));
        Assert.Null(await store.FindOccurrenceAsync(Guid.NewGuid()));
    }
}
