using System.Text.Json;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Querying;
using Microsoft.Data.Sqlite;

namespace KDumpCloud.Ingest.Embedded;

/// <summary>
/// The dashboard's queries over the embedded store's file. SQLite cannot filter on what is inside the group
/// documents quickly (<c>json_extract</c> over every row is slower than the page may take), so the live groups are
/// kept in memory and answered by <see cref="GroupQueryEngine"/>. The copy is brought up to date before each query,
/// cheaply: <c>PRAGMA data_version</c> on a connection of its own says whether anything was committed since (by this
/// process or another, such as <c>kdumpcloud crashes resolve</c>); if so, one pass over the indexed columns finds the
/// rows that changed and only their documents are read again.
/// </summary>
public sealed class SqliteCrashQueries : ICrashQueries, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private Dictionary<string, Cached> _live = new(StringComparer.Ordinal);
    private CrashGroup[] _snapshot = [];
    private long? _version;
    private long _refreshes;

    /// <summary>Queries over <paramref name="store"/>'s file (the store has created and migrated it).</summary>
    public SqliteCrashQueries(SqliteCrashStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = store.Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        _connection.Open();
    }

    /// <summary>How often the in-memory copy was brought up to date because the file had changed (for benchmarks and tests).</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    public Task<GroupPage> QueryGroupsAsync(GroupQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(GroupQueryEngine.Query(LiveGroups(cancellationToken), query));
    }

    public Task<CrashOverview> OverviewAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(GroupQueryEngine.Overview(LiveGroups(cancellationToken), now));

    public Task<string?> FindPanicTextAsync(Guid dumpId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT panic_text FROM occurrences WHERE dump_id = $id;";
            command.Parameters.AddWithValue("$id", dumpId.ToString("D"));
            return Task.FromResult(command.ExecuteScalar() as string);
        }
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>The live groups as of now, refreshed as the class remarks say.</summary>
    private IReadOnlyCollection<CrashGroup> LiveGroups(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var version = DataVersion();
            if (version == _version)
            {
                return _snapshot;
            }

            using var transaction = _connection.BeginTransaction(deferred: true);
            var rows = new Dictionary<string, RowKey>(_live.Count, StringComparer.Ordinal);
            using (var columns = Command(transaction,
                "SELECT id, status, count, last_seen, length(document) FROM crash_groups WHERE status <> 'Merged';"))
            using (var reader = columns.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows[reader.GetString(0)] = new RowKey(reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4));
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            var next = new Dictionary<string, Cached>(rows.Count, StringComparer.Ordinal);
            var stale = new List<string>();
            foreach (var (id, key) in rows)
            {
                if (_live.TryGetValue(id, out var cached) && cached.Key == key)
                {
                    next[id] = cached;
                }
                else
                {
                    stale.Add(id);
                }
            }

            foreach (var (id, document) in Documents(transaction, stale))
            {
                next[id] = new Cached(rows[id], JsonSerializer.Deserialize(document, IngestJsonContext.Default.CrashGroup)!);
            }

            transaction.Commit();
            Interlocked.Increment(ref _refreshes);
            _live = next;
            _snapshot = [.. next.Values.Select(c => c.Group)];
            _version = version;
            return _snapshot;
        }
    }

    /// <summary>The documents of <paramref name="ids"/>: all live rows in one pass when many changed (a first load).</summary>
    private IEnumerable<(string Id, string Document)> Documents(SqliteTransaction transaction, List<string> ids)
    {
        if (ids.Count == 0)
        {
            yield break;
        }

        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        if (ids.Count > 64)
        {
            using var all = Command(transaction, "SELECT id, document FROM crash_groups WHERE status <> 'Merged';");
            using var reader = all.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetString(0);
                if (wanted.Contains(id))
                {
                    yield return (id, reader.GetString(1));
                }
            }

            yield break;
        }

        using var one = Command(transaction, "SELECT document FROM crash_groups WHERE id = $id;");
        var parameter = one.Parameters.Add("$id", SqliteType.Text);
        foreach (var id in ids)
        {
            parameter.Value = id;
            if (one.ExecuteScalar() is string document)
            {
                yield return (id, document);
            }
        }
    }

    private long DataVersion()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA data_version;";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>The indexed columns of a row and its document's length: what changes whenever the document does.</summary>
    private sealed record RowKey(string Status, long Count, string LastSeen, long Length);

    private sealed record Cached(RowKey Key, CrashGroup Group);
}
