using Azure.Data.Tables;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Tests.Azure;
using KDumpCloud.Ingest.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Ingest.Tests.Alerts;

/// <summary>The outbox contract on Table Storage (Azurite), plus a recording resumed after it died before its
/// occurrence row: the alert decided the first time stands, once.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableAlertOutboxTests(AzuriteServer azurite) : AlertOutboxContract
{
    private readonly TableServiceClient _tables = new(azurite.ConnectionString);
    private readonly string _groups = AzuriteCollection.UniqueName("g");
    private readonly string _occurrences = AzuriteCollection.UniqueName("o");
    private readonly string _alerts = AzuriteCollection.UniqueName("a");

    protected override Task<(ICrashStore Store, IAlertOutbox Outbox)> CreateAsync() => ReopenAsync();

    protected override Task<(ICrashStore Store, IAlertOutbox Outbox)> ReopenAsync()
    {
        var outbox = new TableAlertOutbox(_tables.GetTableClient(_alerts), _tables.GetTableClient(_occurrences), Options);
        return Task.FromResult<(ICrashStore, IAlertOutbox)>((
            new TableCrashStore(_tables.GetTableClient(_groups), _tables.GetTableClient(_occurrences), Time, outbox), outbox));
    }

    [Fact]
    public async Task DiedBeforeTheOccurrenceRow_ResumedRecordingKeepsOneAlert()
    {
        var (store, outbox) = await CreateAsync();
        var occurrence = TestOccurrences.For("t1");
        var first = await store.RecordAsync(occurrence);

        // As a process that died after the alert was written and before the occurrence row said recorded.
        await _tables.GetTableClient(_occurrences).DeleteEntityAsync(TableKeys.DumpPartition(occurrence.DumpId), TableKeys.OccurrenceRow);
        Assert.Null(await store.FindOccurrenceAsync(occurrence.DumpId));
        Time.Advance(TimeSpan.FromMinutes(1));
        var resumed = await store.RecordAsync(occurrence);

        Assert.Equal(IngestOutcomeOf(first), IngestOutcomeOf(resumed));
        var alert = Assert.Single(await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 10, CancellationToken.None));
        Assert.Equal(AlertEvent.New, alert.Event);
        Assert.Equal(TestOccurrences.Start, alert.CreatedAt); // the first decision, not a second one
        Assert.Equal(1, (await store.FindGroupAsync("t1"))!.Count);
    }

    [Fact]
    public async Task DiedBeforeTheAlertWasWritten_ResumedRecordingWritesIt()
    {
        var (store, outbox) = await CreateAsync();
        var occurrence = TestOccurrences.For("t2");
        await store.RecordAsync(occurrence);
        await _tables.GetTableClient(_occurrences).DeleteEntityAsync(TableKeys.DumpPartition(occurrence.DumpId), TableKeys.OccurrenceRow);
        await _tables.GetTableClient(_alerts).DeleteEntityAsync("alert", occurrence.DumpId.ToString("D"));

        await store.RecordAsync(occurrence);

        var alert = Assert.Single(await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 10, CancellationToken.None));
        Assert.Equal(AlertEvent.New, alert.Event); // taken from the counted list's outcome
        Assert.Equal(1, (await store.FindGroupAsync("t2"))!.Count);
    }

    private static Model.IngestOutcome IngestOutcomeOf(Model.RecordResult result) => result.Outcome;
}
