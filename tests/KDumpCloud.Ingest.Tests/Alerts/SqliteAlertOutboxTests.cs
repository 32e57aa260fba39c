using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Tests.Support;

namespace KDumpCloud.Ingest.Tests.Alerts;

/// <summary>The outbox contract on the embedded store: the alert commits in the recording's transaction.</summary>
public sealed class SqliteAlertOutboxTests : AlertOutboxContract
{
    private readonly TempDirectory _directory = new();

    private string File => Path.Combine(_directory.Path, SqliteCrashStore.FileName);

    protected override Task<(ICrashStore Store, IAlertOutbox Outbox)> CreateAsync() => ReopenAsync();

    protected override Task<(ICrashStore Store, IAlertOutbox Outbox)> ReopenAsync()
    {
        var outbox = new SqliteAlertOutbox(File, Options);
        return Task.FromResult<(ICrashStore, IAlertOutbox)>((new SqliteCrashStore(File, Time, outbox), outbox));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
