using System.Globalization;
using System.Text.Json;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Data.Sqlite;
using static KDumpCloud.Ingest.Embedded.SqliteRows;

namespace KDumpCloud.Ingest.Embedded;

/// <summary>
/// The alert outbox in the embedded store's file (<c>crashes.db</c>, schema version 3; version 4 adds each alert's
/// traceparent): <see cref="SqliteCrashStore"/>
/// calls <see cref="Record"/> inside the transaction that records an occurrence, so the decision to alert commits with
/// the count or not at all; the dispatcher reads and updates it through <see cref="IAlertOutbox"/>.
/// </summary>
/// <remarks>The store creates and migrates the file; open the store before using this outbox.</remarks>
public sealed class SqliteAlertOutbox : IAlertOutbox
{
    private readonly string _connectionString;
    private readonly AlertDecision _decision;

    /// <param name="path">The store's file (<see cref="SqliteCrashStore.Path"/>).</param>
    /// <param name="options">Spike detection and the panic message bound.</param>
    public SqliteAlertOutbox(string path, AlertOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        _decision = new AlertDecision(options);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The recording hook: decides for a freshly counted occurrence and writes the alert, if any, in
    /// <paramref name="transaction"/>. A dump id has one alert at most.</summary>
    internal AlertNotice? Record(SqliteConnection connection, SqliteTransaction transaction, RecordResult result, DateTimeOffset now)
    {
        var inWindow = _decision.NeedsWindowCount(result) ? CountInWindow(connection, transaction, result) : 0;
        if (_decision.Decide(result, inWindow, now) is not { } decided)
        {
            return null;
        }

        var notice = decided with { TraceParent = IngestActivities.AlertTraceParent() };
        using var insert = Command(connection, transaction, """
            INSERT OR IGNORE INTO alert_outbox (dump_id, group_id, created_at, notice, trace_parent)
            VALUES ($id, $group, $at, $notice, $trace);
            """);
        insert.Parameters.AddWithValue("$id", Key(notice.DumpId));
        insert.Parameters.AddWithValue("$group", notice.Fingerprint);
        insert.Parameters.AddWithValue("$at", Timestamp(notice.CreatedAt));
        insert.Parameters.AddWithValue("$notice", JsonSerializer.Serialize(notice, AlertJsonContext.Default.AlertNotice));
        insert.Parameters.AddWithValue("$trace", (object?)notice.TraceParent ?? DBNull.Value);
        insert.ExecuteNonQuery();
        return notice;
    }

    public Task<IReadOnlyList<AlertNotice>> ListAlertsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT notice, trace_parent FROM alert_outbox WHERE created_at >= $since ORDER BY created_at, dump_id LIMIT $limit;");
        command.Parameters.AddWithValue("$since", Timestamp(since));
        command.Parameters.AddWithValue("$limit", limit);
        var notices = new List<AlertNotice>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var notice = JsonSerializer.Deserialize(reader.GetString(0), AlertJsonContext.Default.AlertNotice)!;
            notices.Add(reader.IsDBNull(1) ? notice : notice with { TraceParent = reader.GetString(1) });
        }

        return Task.FromResult<IReadOnlyList<AlertNotice>>(notices);
    }

    public Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(string sinkId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT document FROM alert_deliveries WHERE sink = $sink AND alert_created_at >= $since;");
        command.Parameters.AddWithValue("$sink", sinkId);
        command.Parameters.AddWithValue("$since", Timestamp(since));
        return Task.FromResult<IReadOnlyList<AlertDelivery>>(ReadAll(command, AlertJsonContext.Default.AlertDelivery));
    }

    public Task SaveDeliveriesAsync(string sinkId, IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var delivery in deliveries)
        {
            using var upsert = Command(connection, transaction, """
                INSERT INTO alert_deliveries (sink, dump_id, alert_created_at, document) VALUES ($sink, $id, $at, $doc)
                ON CONFLICT (sink, dump_id) DO UPDATE SET document = excluded.document;
                """);
            upsert.Parameters.AddWithValue("$sink", sinkId);
            upsert.Parameters.AddWithValue("$id", Key(delivery.AlertId));
            upsert.Parameters.AddWithValue("$at", Timestamp(delivery.AlertCreatedAt));
            upsert.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(delivery, AlertJsonContext.Default.AlertDelivery));
            upsert.ExecuteNonQuery();
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var deliveries = Command(connection, transaction, "DELETE FROM alert_deliveries WHERE alert_created_at < $before;"))
        {
            deliveries.Parameters.AddWithValue("$before", Timestamp(before));
            deliveries.ExecuteNonQuery();
        }

        using var alerts = Command(connection, transaction, "DELETE FROM alert_outbox WHERE created_at < $before;");
        alerts.Parameters.AddWithValue("$before", Timestamp(before));
        var purged = alerts.ExecuteNonQuery();
        transaction.Commit();
        return Task.FromResult(purged);
    }

    /// <summary>The group's occurrences (its own and those of groups merged into it) received since the start of the
    /// spike window that ends at this occurrence, this one and any received later included (dumps are recorded out of
    /// order: counting them keeps the count rising by one per recording, so it meets the threshold once); counting
    /// stops past the threshold.</summary>
    private int CountInWindow(SqliteConnection connection, SqliteTransaction transaction, RecordResult result)
    {
        using var command = Command(connection, transaction, """
            SELECT COUNT(*) FROM (
                SELECT 1 FROM occurrences
                WHERE (group_id = $group OR group_id IN (SELECT id FROM crash_groups WHERE merged_into = $group))
                  AND received_at > $start
                LIMIT $max);
            """);
        command.Parameters.AddWithValue("$group", result.Group.Id);
        command.Parameters.AddWithValue("$start", Timestamp(_decision.WindowStart(result.Occurrence.ReceivedAt)));
        command.Parameters.AddWithValue("$max", _decision.WindowCountLimit);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
