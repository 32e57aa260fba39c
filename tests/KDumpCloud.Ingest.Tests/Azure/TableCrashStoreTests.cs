using Azure.Data.Tables;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Tests.Stores;
using KDumpCloud.Ingest.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Ingest.Tests.Azure;

/// <summary>The shared store contract against Table Storage on Azurite (a fresh pair of tables per test), plus what
/// only this store has: resuming a recording that stopped half way, and documents kept under 64 KiB.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableCrashStoreTests(AzuriteServer azurite) : CrashStoreContract
{
    private readonly TableClient _groups = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteCollection.UniqueName("g"));
    private readonly TableClient _occurrences = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteCollection.UniqueName("o"));

    protected override Task<ICrashStore> CreateStoreAsync() => Task.FromResult<ICrashStore>(NewStore());

    [Fact]
    public async Task RowLeftPendingByTheFirstVersion_IsNotRecordedUntilCountedOnce()
    {
        var store = NewStore();
        await store.FindGroupAsync("seed"); // creates the tables
        var planted = TestOccurrences.For("a1a1", machine: "10.0.9.9");
        await PlantPendingAsync(planted);
        Assert.Null(await store.FindOccurrenceAsync(planted.DumpId));

        var retry = planted with { Machine = "10.0.40.99" };
        var recorded = await store.RecordAsync(retry);
        var again = await store.RecordAsync(retry);

        Assert.False(recorded.AlreadyRecorded);
        Assert.Equal(IngestOutcome.NewGroup, recorded.Outcome);
        Assert.True(again.AlreadyRecorded);
        Assert.Equal(IngestOutcome.NewGroup, again.Outcome);
        Assert.Equal(1, (await store.FindGroupAsync("a1a1"))!.Count);
        Assert.Equal("10.0.40.99", (await store.FindOccurrenceAsync(planted.DumpId))!.Machine); // not the pending row's
        Assert.Single(await store.ListOccurrencesAsync("a1a1", 10));
    }

    [Fact]
    public async Task DiedAfterCountingBeforeMarking_ResumeDoesNotCountTwiceAndKeepsTheOutcome()
    {
        var store = NewStore();
        await store.RecordAsync(TestOccurrences.For("b2b2", osBuild: "24A335"));
        var second = TestOccurrences.For("b2b2", osBuild: "24B83", receivedAt: TestOccurrences.Start.AddHours(1));
        var first = await store.RecordAsync(second);
        Assert.Equal(IngestOutcome.Regression, first.Outcome);
        await ForgetRowsAsync(first.Occurrence);
        Assert.Null(await store.FindOccurrenceAsync(second.DumpId));
        Assert.Single(await store.ListOccurrencesAsync("b2b2", 10));

        var resumed = await store.RecordAsync(second);

        Assert.True(resumed.AlreadyRecorded);
        Assert.Equal(IngestOutcome.Regression, resumed.Outcome);
        Assert.Equal(first.Occurrence.RegressionReason, resumed.Occurrence.RegressionReason);
        Assert.Equal(2, (await store.FindGroupAsync("b2b2"))!.Count);
        Assert.Equal(IngestOutcome.Regression, (await store.FindOccurrenceAsync(second.DumpId))!.Outcome);
        Assert.Equal(2, (await store.ListOccurrencesAsync("b2b2", 10)).Count);
    }

    [Fact]
    public async Task DiedAfterCountingThenMerged_ResumeFindsTheCountInTheMergedGroup()
    {
        var store = NewStore();
        await store.RecordAsync(TestOccurrences.For("c3c3"));
        var counted = TestOccurrences.For("d4d4");
        var first = await store.RecordAsync(counted);
        await ForgetRowsAsync(first.Occurrence);
        await store.MergeAsync("c3c3", "d4d4");

        var resumed = await store.RecordAsync(counted);

        Assert.True(resumed.AlreadyRecorded);
        Assert.Equal("d4d4", resumed.Occurrence.GroupId);
        Assert.Equal("c3c3", resumed.Group.Id);
        Assert.Equal(2, (await store.FindGroupAsync("c3c3"))!.Count);
    }

    [Fact]
    public async Task TwoInstances_ConcurrentOccurrencesOfOneGroup_NoCountIsLost()
    {
        var (first, second) = (NewStore(), NewStore());
        var occurrences = Enumerable.Range(0, 30)
            .Select(i => TestOccurrences.For("f6f6", machine: $"10.0.2.{i}", receivedAt: TestOccurrences.Start.AddMinutes(i)))
            .ToList();

        var results = await Task.WhenAll(occurrences.Select((o, i) => Task.Run(() => (i % 2 == 0 ? first : second).RecordAsync(o))));

        Assert.Single(results, r => r.Outcome == IngestOutcome.NewGroup);
        Assert.Equal(30, (await first.FindGroupAsync("f6f6"))!.Count);
        Assert.Equal(30, (await second.ListOccurrencesAsync("f6f6", 100)).Count);
    }

    [Fact]
    public async Task GroupChangedByAnotherInstance_TheNextFoldHereSeesTheChange()
    {
        var (here, elsewhere) = (NewStore(), NewStore());
        await here.RecordAsync(TestOccurrences.For("a7a7"));              // this instance remembers the row it wrote
        await elsewhere.RecordAsync(TestOccurrences.For("a7a7"));         // the row moves on without it
        await elsewhere.SetStatusAsync("a7a7", GroupStatus.Resolved);

        var third = await here.RecordAsync(TestOccurrences.For("a7a7"));

        Assert.Equal(IngestOutcome.Regression, third.Outcome);            // folded into the resolved row, not the remembered one
        Assert.Equal(3, third.Group.Count);
        Assert.Equal(GroupStatus.Open, (await elsewhere.FindGroupAsync("a7a7"))!.Status);
    }

    [Fact]
    public async Task HugeOccurrence_IsShortenedToFitOneProperty()
    {
        var store = NewStore();
        var huge = TestOccurrences.For("e5e5", osBuild: new string('B', 5000)) with
        {
            PanicMessage = new string('p', 100_000),
            Warnings = [.. Enumerable.Range(0, 1000).Select(i => $"warning {i} " + new string('w', 1000))],
            Signature = "ü" + new string('s', 3000),
        };

        var result = await store.RecordAsync(huge);

        var stored = (await store.FindOccurrenceAsync(huge.DumpId))!;
        Assert.Contains(TableDocuments.ShortenedWarning, stored.Warnings);
        Assert.Contains(TableDocuments.FieldsCutWarning, stored.Warnings);
        Assert.True(stored.PanicMessage!.Length < huge.PanicMessage.Length);
        Assert.StartsWith("ü", stored.Signature, StringComparison.Ordinal);
        Assert.Equal(TableDocuments.MaxListedValueChars, Assert.Single(result.Group.OsBuilds).Length);
        var row = (await _occurrences.GetEntityAsync<TableEntity>(TableKeys.DumpPartition(huge.DumpId), TableKeys.OccurrenceRow)).Value;
        Assert.InRange(row.GetString("Document").Length, 1, TableDocuments.MaxChars);
    }

    [Fact]
    public async Task GroupIdsWithKeyCharacters_AreEscapedAndWork()
    {
        var store = NewStore();
        const string awkward = "a/b\\c#d?e%f\u0001g";
        await store.RecordAsync(TestOccurrences.For(awkward));
        await store.RecordAsync(TestOccurrences.For("a_b_c_d_e_f_g"));

        Assert.Equal(1, (await store.FindGroupAsync(awkward))!.Count);
        Assert.Single(await store.ListOccurrencesAsync(awkward, 10));
        Assert.Equal(GroupStatus.Resolved, (await store.SetStatusAsync(awkward, GroupStatus.Resolved))!.Status);
        Assert.Equal(2, (await store.ListGroupsAsync(GroupOrder.Newest, 10)).Count);
    }

    private TableCrashStore NewStore() => new(_groups, _occurrences, Time);

    private Task PlantPendingAsync(Occurrence occurrence) =>
        _occurrences.AddEntityAsync(new TableEntity(TableKeys.DumpPartition(occurrence.DumpId), TableKeys.OccurrenceRow)
        {
            ["State"] = "pending",
            ["Document"] = occurrence.ToJson(),
        });

    /// <summary>Puts a recorded occurrence back the way a process that died after counting it left it: counted in its
    /// group, neither of its rows written.</summary>
    private async Task ForgetRowsAsync(Occurrence stored)
    {
        await _occurrences.DeleteEntityAsync(TableKeys.DumpPartition(stored.DumpId), TableKeys.OccurrenceRow);
        await _occurrences.DeleteEntityAsync(TableKeys.GroupPartition(stored.GroupId), TableKeys.IndexRow(stored.ReceivedAt, stored.DumpId));
    }
}
