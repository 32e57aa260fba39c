using System.Runtime.CompilerServices;
using System.Text.Json;
using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Regrouping;
using Microsoft.Data.Sqlite;
using static KDumpCloud.Ingest.Embedded.SqliteRows;

namespace KDumpCloud.Ingest.Embedded;

/// <summary>
/// The embedded crash store: one SQLite file (WAL) beside the relay's spool. Every change is one immediate transaction,
/// which SQLite serialises, so concurrent recordings never lose a count and a dump id is recorded once (its primary
/// key).
/// </summary>
public sealed class SqliteCrashStore : ICrashStore
{
    /// <summary>The file's name in the relay's data directory.</summary>
    public const string FileName = "crashes.db";

    private const int MaxMergeHops = 16;
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SqliteAlertOutbox? _alerts;

    /// <summary>Opens (creating and migrating as needed) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="time">The clock for record and status-change times.</param>
    /// <param name="alerts">The alert outbox the decision to alert is written to in the recording's transaction; null:
    /// no alerts.</param>
    /// <exception cref="InvalidOperationException">The file has a newer schema than this version knows.</exception>
    public SqliteCrashStore(string path, TimeProvider time, SqliteAlertOutbox? alerts = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _time = time;
        _alerts = alerts;
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        SqliteSchema.Migrate(connection);
    }

    public string Path { get; }

    public Task<RecordResult> RecordAsync(Occurrence occurrence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (ReadOccurrence(connection, transaction, occurrence.DumpId) is { } recorded)
        {
            var existing = ReadGroup(connection, transaction, recorded.GroupId)
                ?? throw new InvalidOperationException($"occurrence {recorded.DumpId} names group {recorded.GroupId}, which is missing");
            return Task.FromResult(new RecordResult(recorded, existing, AlreadyRecorded: true));
        }

        var group = FollowMerges(connection, transaction, occurrence.GroupId);
        var (folded, stored) = GroupFolding.Fold(group, occurrence with { GroupId = group?.Id ?? occurrence.GroupId }, _time.GetUtcNow());
        WriteGroup(connection, transaction, folded);
        using (var insert = Command(connection, transaction,
            "INSERT INTO occurrences (dump_id, group_id, received_at, document, panic_text) VALUES ($id, $group, $at, $doc, $text);"))
        {
            insert.Parameters.AddWithValue("$id", Key(stored.DumpId));
            insert.Parameters.AddWithValue("$group", stored.GroupId);
            insert.Parameters.AddWithValue("$at", Timestamp(stored.ReceivedAt));
            insert.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(stored, IngestJsonContext.Default.Occurrence));
            insert.Parameters.AddWithValue("$text", (object?)stored.PanicText ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }

        _alerts?.Record(connection, transaction, new RecordResult(stored, folded, AlreadyRecorded: false), _time.GetUtcNow());
        transaction.Commit();
        return Task.FromResult(new RecordResult(stored, folded, AlreadyRecorded: false));
    }

    public Task<CrashGroup?> FindGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        return Task.FromResult(ReadGroup(connection, null, groupId));
    }

    public Task<IReadOnlyList<CrashGroup>> ListGroupsAsync(GroupOrder order, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = Open();
        var orderBy = order == GroupOrder.MostFrequent ? "count DESC, last_seen DESC" : "last_seen DESC, count DESC";
        using var command = Command(connection, null, $"SELECT document FROM crash_groups WHERE status <> 'Merged' ORDER BY {orderBy}, id LIMIT $limit;");
        command.Parameters.AddWithValue("$limit", limit);
        return Task.FromResult<IReadOnlyList<CrashGroup>>(ReadAll(command, IngestJsonContext.Default.CrashGroup));
    }

    public Task<Occurrence?> FindOccurrenceAsync(Guid dumpId, CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        return Task.FromResult(ReadOccurrence(connection, null, dumpId));
    }

    public Task<IReadOnlyList<Occurrence>> ListOccurrencesAsync(string groupId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        List<string> sources = [groupId];
        using (var merged = Command(connection, transaction, "SELECT id FROM crash_groups WHERE merged_into = $group;"))
        {
            merged.Parameters.AddWithValue("$group", groupId);
            using var reader = merged.ExecuteReader();
            while (reader.Read())
            {
                sources.Add(reader.GetString(0));
            }
        }

        // One indexed query per group, newest first, stopping at the limit: a group with many thousands of
        // occurrences is not read and sorted whole (the dashboard's group page asks for this on every view).
        var found = new List<Occurrence>();
        using var command = Command(connection, transaction,
            "SELECT document FROM occurrences WHERE group_id = $group ORDER BY received_at DESC, dump_id DESC LIMIT $limit;");
        var group = command.Parameters.Add("$group", SqliteType.Text);
        command.Parameters.AddWithValue("$limit", limit);
        foreach (var source in sources)
        {
            group.Value = source;
            found.AddRange(ReadAll(command, IngestJsonContext.Default.Occurrence));
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<Occurrence>>(sources.Count == 1 ? found
            : [.. found.OrderByDescending(o => Timestamp(o.ReceivedAt), StringComparer.Ordinal)
                .ThenByDescending(o => Key(o.DumpId), StringComparer.Ordinal).Take(limit)]);
    }

    public Task<CrashGroup?> SetStatusAsync(string groupId, GroupStatus status, CancellationToken cancellationToken = default)
    {
        if (status == GroupStatus.Merged)
        {
            throw new ArgumentException("use MergeAsync to merge groups", nameof(status));
        }

        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var group = ReadGroup(connection, transaction, groupId);
        if (group is null)
        {
            return Task.FromResult<CrashGroup?>(null);
        }

        if (group.Status == GroupStatus.Merged)
        {
            throw new InvalidOperationException($"group {groupId} is merged into {group.MergedInto}; change that group instead");
        }

        var changed = group.Status == status ? group : group with { Status = status, StatusChangedAt = _time.GetUtcNow() };
        WriteGroup(connection, transaction, changed);
        transaction.Commit();
        return Task.FromResult<CrashGroup?>(changed);
    }

    public Task<CrashGroup> MergeAsync(string intoGroupId, string fromGroupId, CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var into = ReadGroup(connection, transaction, intoGroupId) ?? throw new InvalidOperationException($"there is no group {intoGroupId}");
        var absorbed = ReadGroup(connection, transaction, fromGroupId) ?? throw new InvalidOperationException($"there is no group {fromGroupId}");
        var (survivor, merged) = GroupFolding.Merge(into, absorbed, _time.GetUtcNow());
        WriteGroup(connection, transaction, survivor);
        WriteGroup(connection, transaction, merged);

        // Groups merged into the one being merged now point at the survivor: a merge is always one hop.
        using (var select = Command(connection, transaction, "SELECT document FROM crash_groups WHERE merged_into = $from;"))
        {
            select.Parameters.AddWithValue("$from", fromGroupId);
            foreach (var earlier in ReadAll(select, IngestJsonContext.Default.CrashGroup))
            {
                WriteGroup(connection, transaction, earlier with { MergedInto = survivor.Id });
            }
        }

        transaction.Commit();
        return Task.FromResult(survivor);
    }

    public async IAsyncEnumerable<CrashGroup> ScanGroupsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        using var connection = Open();
        using var command = Command(connection, null, "SELECT document FROM crash_groups;");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return JsonSerializer.Deserialize(reader.GetString(0), IngestJsonContext.Default.CrashGroup)!;
        }
    }

    public async IAsyncEnumerable<Occurrence> ScanOccurrencesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        using var connection = Open();
        using var command = Command(connection, null, "SELECT document, panic_text FROM occurrences;");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return JsonSerializer.Deserialize(reader.GetString(0), IngestJsonContext.Default.Occurrence)! with
            {
                PanicText = reader.IsDBNull(1) ? null : reader.GetString(1),
            };
        }
    }

    /// <summary>In one transaction: a regrouping is all or nothing here.</summary>
    public Task ApplyRegroupAsync(RegroupPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var group in plan.Groups)
        {
            WriteGroup(connection, transaction, group);
        }

        foreach (var move in plan.Moves)
        {
            using var update = Command(connection, transaction, "UPDATE occurrences SET group_id = $group, document = $doc WHERE dump_id = $id;");
            update.Parameters.AddWithValue("$id", Key(move.Occurrence.DumpId));
            update.Parameters.AddWithValue("$group", move.Occurrence.GroupId);
            update.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(move.Occurrence, IngestJsonContext.Default.Occurrence));
            update.ExecuteNonQuery();
        }

        foreach (var id in plan.Deleted)
        {
            using var delete = Command(connection, transaction, "DELETE FROM crash_groups WHERE id = $id AND NOT EXISTS (SELECT 1 FROM occurrences WHERE group_id = $id);");
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>The group a fingerprint's occurrences count in now: the fingerprint's own, or the one it was merged into.</summary>
    private static CrashGroup? FollowMerges(SqliteConnection connection, SqliteTransaction transaction, string groupId)
    {
        var group = ReadGroup(connection, transaction, groupId);
        for (var hops = 0; group is { Status: GroupStatus.Merged, MergedInto: { } next }; hops++)
        {
            if (hops == MaxMergeHops)
            {
                throw new InvalidOperationException($"group {groupId}'s merges do not end within {MaxMergeHops} hops");
            }

            group = ReadGroup(connection, transaction, next);
        }

        return group;
    }

    private static CrashGroup? ReadGroup(SqliteConnection connection, SqliteTransaction? transaction, string groupId)
    {
        using var command = Command(connection, transaction, "SELECT document FROM crash_groups WHERE id = $id;");
        command.Parameters.AddWithValue("$id", groupId);
        return command.ExecuteScalar() is string document ? JsonSerializer.Deserialize(document, IngestJsonContext.Default.CrashGroup) : null;
    }

    private static Occurrence? ReadOccurrence(SqliteConnection connection, SqliteTransaction? transaction, Guid dumpId)
    {
        using var command = Command(connection, transaction, "SELECT document FROM occurrences WHERE dump_id = $id;");
        command.Parameters.AddWithValue("$id", Key(dumpId));
        return command.ExecuteScalar() is string document ? JsonSerializer.Deserialize(document, IngestJsonContext.Default.Occurrence) : null;
    }

    private static void WriteGroup(SqliteConnection connection, SqliteTransaction transaction, CrashGroup group)
    {
        using var command = Command(connection, transaction, """
            INSERT INTO crash_groups (id, status, merged_into, count, last_seen, document)
            VALUES ($id, $status, $merged, $count, $last, $doc)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, merged_into = excluded.merged_into,
                count = excluded.count, last_seen = excluded.last_seen, document = excluded.document;
            """);
        command.Parameters.AddWithValue("$id", group.Id);
        command.Parameters.AddWithValue("$status", group.Status.ToString());
        command.Parameters.AddWithValue("$merged", (object?)group.MergedInto ?? DBNull.Value);
        command.Parameters.AddWithValue("$count", group.Count);
        command.Parameters.AddWithValue("$last", Timestamp(group.LastSeen));
        command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(group, IngestJsonContext.Default.CrashGroup));
        command.ExecuteNonQuery();
    }
}
