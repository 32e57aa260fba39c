using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Tests.Support;
using Microsoft.Data.Sqlite;

namespace KDumpCloud.Ingest.Tests.Stores;

/// <summary>The shared store contract against a SQLite file in a temporary folder, plus what only SQLite has: the
/// schema version and its migration.</summary>
public sealed class SqliteCrashStoreTests : CrashStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override Task<ICrashStore> CreateStoreAsync() =>
        Task.FromResult<ICrashStore>(new SqliteCrashStore(Path.Combine(_directory.Path, SqliteCrashStore.FileName), Time));

    [Fact]
    public async Task Reopened_KeepsWhatWasRecorded()
    {
        var path = Path.Combine(_directory.Path, "reopen.db");
        var occurrence = TestOccurrences.For("efef");
        await new SqliteCrashStore(path, Time).RecordAsync(occurrence);

        var reopened = new SqliteCrashStore(path, Time);

        Assert.True((await reopened.RecordAsync(occurrence)).AlreadyRecorded);
        Assert.Equal(1, (await reopened.FindGroupAsync("efef"))!.Count);
    }

    [Fact]
    public void NewerSchema_IsRefusedWithAClearMessage()
    {
        var path = Path.Combine(_directory.Path, "newer.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => new SqliteCrashStore(path, Time));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionOneFile_IsMigratedAndKeepsItsOccurrences()
    {
        var path = Path.Combine(_directory.Path, "v1.db");
        var occurrence = TestOccurrences.For("abab");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE crash_groups (id TEXT PRIMARY KEY, status TEXT NOT NULL, merged_into TEXT NULL, count INTEGER NOT NULL,
                    last_seen TEXT NOT NULL, document TEXT NOT NULL);
                CREATE TABLE occurrences (dump_id TEXT PRIMARY KEY, group_id TEXT NOT NULL, received_at TEXT NOT NULL, document TEXT NOT NULL);
                INSERT INTO occurrences VALUES ('{occurrence.DumpId:D}', 'abab', '2026-11-30T08:00:00.0000000Z', $doc);
                PRAGMA user_version = 1;
                """;
            command.Parameters.AddWithValue("$doc", occurrence.ToJson());
            command.ExecuteNonQuery();
        }

        var store = new SqliteCrashStore(path, Time);

        var scanned = await store.ScanOccurrencesAsync().SingleAsync();
        Assert.Equal(occurrence.DumpId, scanned.DumpId);
        Assert.Null(scanned.PanicText);
        await store.RecordAsync(TestOccurrences.For("cdcd") with { PanicText = "panic(cpu 0 caller 0x1): \"x\"" });
        Assert.Equal(2, await store.ScanOccurrencesAsync().CountAsync());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
