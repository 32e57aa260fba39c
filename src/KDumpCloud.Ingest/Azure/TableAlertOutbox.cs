using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Telemetry;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// The alert outbox in Table Storage (default table <c>alerts</c>): alert rows in partition <c>alert</c> keyed by dump
/// id (with <c>TraceParent</c>, the trace of the ingest that decided it), and per sink a partition
/// <c>sink_&lt;id&gt;</c> of delivery records keyed by dump id.
/// <see cref="TableCrashStore"/> calls <see cref="RecordAsync"/> after the occurrence is counted and before its row
/// says recorded: a recording resumed after a crash calls it again, and the insert keyed by dump id keeps the first
/// decision (409 is "already decided").
/// </summary>
/// <remarks>
/// New groups and regressions are decided from the recorded outcome, which a resumed recording takes from the group's
/// counted list, so they are never lost nor doubled. A spike is the count in the window reaching the threshold,
/// counted from the group's index rows: two instances recording the same group at the same moment can both see it or
/// neither (a spike alert doubled or missed; the per-group interval drops a double). Listing reads the
/// <c>alert</c> partition filtered by time: alerts are few (new groups, regressions, spikes), and purged after
/// twice <see cref="AlertOptions.MaxAge"/>.
/// </remarks>
public sealed class TableAlertOutbox : IAlertOutbox
{
    private const string AlertPartition = "alert";
    private readonly TableClient _alerts;
    private readonly TableClient _occurrences;
    private readonly AlertDecision _decision;
    private readonly SemaphoreSlim _creating = new(1, 1);
    private volatile bool _created;

    /// <param name="alerts">The outbox table (created at first use when missing).</param>
    /// <param name="occurrences">The crash store's occurrences table (its index rows count a spike).</param>
    /// <param name="options">Spike detection and the panic message bound.</param>
    public TableAlertOutbox(TableClient alerts, TableClient occurrences, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(occurrences);
        ArgumentNullException.ThrowIfNull(options);
        _alerts = alerts;
        _occurrences = occurrences;
        _decision = new AlertDecision(options);
    }

    /// <summary>The recording hook: decides for a counted occurrence and writes the alert, if any, once per dump id.
    /// Returns the alert as stored (the first decision, when one was written before).</summary>
    internal async Task<AlertNotice?> RecordAsync(RecordResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inWindow = _decision.NeedsWindowCount(result) ? await CountInWindowAsync(result, cancellationToken).ConfigureAwait(false) : 0;
        if (_decision.Decide(result, inWindow, now) is not { } decided)
        {
            return null;
        }

        var notice = decided with { TraceParent = IngestActivities.AlertTraceParent() };
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var row = new TableEntity(AlertPartition, Key(notice.DumpId))
            {
                ["CreatedAt"] = notice.CreatedAt,
                ["GroupId"] = notice.Fingerprint,
                ["Notice"] = JsonSerializer.Serialize(notice, AlertJsonContext.Default.AlertNotice),
            };
            if (notice.TraceParent is not null)
            {
                row["TraceParent"] = notice.TraceParent;
            }

            await _alerts.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
            return notice;
        }
        catch (RequestFailedException error) when (error.Status == 409)
        {
            var existing = await _alerts.GetEntityAsync<TableEntity>(AlertPartition, Key(notice.DumpId), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return ReadNotice(existing.Value);
        }
    }

    public async Task<IReadOnlyList<AlertNotice>> ListAlertsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AlertPartition} and CreatedAt ge {since}");
        var found = new List<AlertNotice>();
        await foreach (var row in _alerts.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(ReadNotice(row));
        }

        return [.. found.OrderBy(n => n.CreatedAt).ThenBy(n => n.DumpId).Take(limit)];
    }

    public async Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(string sinkId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SinkPartition(sinkId)} and AlertCreatedAt ge {since}");
        var found = new List<AlertDelivery>();
        await foreach (var row in _alerts.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(JsonSerializer.Deserialize(row.GetString("Document"), AlertJsonContext.Default.AlertDelivery)
                ?? throw new JsonException($"delivery row {row.RowKey} is null"));
        }

        return found;
    }

    public async Task SaveDeliveriesAsync(string sinkId, IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);

        // One partition per sink: up to 100 records per entity-group transaction.
        foreach (var chunk in deliveries.Chunk(100))
        {
            var actions = chunk.Select(d => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(SinkPartition(sinkId), Key(d.AlertId))
            {
                ["AlertCreatedAt"] = d.AlertCreatedAt,
                ["State"] = d.State.ToString(),
                ["Document"] = JsonSerializer.Serialize(d, AlertJsonContext.Default.AlertDelivery),
            })).ToList();
            await _alerts.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var purged = 0;
        var oldDeliveries = TableClient.CreateQueryFilter($"PartitionKey ne {AlertPartition} and AlertCreatedAt lt {before}");
        await foreach (var row in _alerts.QueryAsync<TableEntity>(oldDeliveries, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
            .ConfigureAwait(false))
        {
            await _alerts.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }

        var oldAlerts = TableClient.CreateQueryFilter($"PartitionKey eq {AlertPartition} and CreatedAt lt {before}");
        await foreach (var row in _alerts.QueryAsync<TableEntity>(oldAlerts, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
            .ConfigureAwait(false))
        {
            await _alerts.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            purged++;
        }

        return purged;
    }

    /// <summary>The group's index rows received since the start of the spike window that ends at this occurrence
    /// (this one's index row is written before the hook runs; later-received ones count too, as in the SQLite
    /// outbox), read no further than the threshold needs.</summary>
    private async Task<int> CountInWindowAsync(RecordResult result, CancellationToken cancellationToken)
    {
        var start = _decision.WindowStart(result.Occurrence.ReceivedAt);
        var partition = TableKeys.GroupPartition(result.Occurrence.GroupId);

        // Index row keys are inverted receive times: received after start is a key below key(start).
        var to = TableKeys.IndexRow(start, Guid.Empty)[..19];
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey lt {to}");
        var count = 0;
        await foreach (var _ in _occurrences.QueryAsync<TableEntity>(filter, maxPerPage: _decision.WindowCountLimit, select: ["RowKey"],
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (++count == _decision.WindowCountLimit)
            {
                break;
            }
        }

        return count;
    }

    private static AlertNotice ReadNotice(TableEntity row) =>
        (JsonSerializer.Deserialize(row.GetString("Notice"), AlertJsonContext.Default.AlertNotice)
            ?? throw new JsonException($"alert row {row.RowKey} is null")) with { TraceParent = row.GetString("TraceParent") };

    private static string SinkPartition(string sinkId) => "sink_" + sinkId;

    private static string Key(Guid dumpId) => dumpId.ToString("D");

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _creating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                try
                {
                    await _alerts.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException error) when (error.Status == 403)
                {
                    // A role that may only read and write entities: the table is expected to exist (Bicep creates it).
                }

                _created = true;
            }
        }
        finally
        {
            _creating.Release();
        }
    }
}
