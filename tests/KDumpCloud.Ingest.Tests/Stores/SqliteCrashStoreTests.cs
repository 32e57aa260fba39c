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

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
