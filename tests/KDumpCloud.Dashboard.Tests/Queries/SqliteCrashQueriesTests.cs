using KDumpCloud.Dashboard.Tests.Support;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Querying;

namespace KDumpCloud.Dashboard.Tests.Queries;

/// <summary>The contract on SQLite, plus its in-memory copy following changes made through other connections.</summary>
public sealed class SqliteCrashQueriesTests : CrashQueriesContract, IDisposable
{
    private readonly LabStore _lab = new();

    protected override Task<(ICrashStore Store, ICrashQueries Queries)> CreateAsync() =>
        Task.FromResult<(ICrashStore, ICrashQueries)>((_lab.Store, _lab.Queries));

    [Fact]
    public async Task ChangesByAnotherStoreOnTheSameFile_AreSeenByTheNextQuery()
    {
        var occurrence = await _lab.AddTextAsync("paniclog-a", PanicTexts.Intel("AppleCopy", 1), DateTimeOffset.UtcNow);
        Assert.Equal(GroupStatus.Open, Assert.Single((await _lab.Queries.QueryGroupsAsync(new GroupQuery())).Groups).Status);

        // Another process (kdumpcloud crashes resolve) opens the file itself.
        var other = new Ingest.Embedded.SqliteCrashStore(_lab.Store.Path, TimeProvider.System);
        await other.SetStatusAsync(occurrence.GroupId, GroupStatus.Resolved);
        Assert.Equal(GroupStatus.Resolved, Assert.Single((await _lab.Queries.QueryGroupsAsync(new GroupQuery())).Groups).Status);

        await _lab.AddTextAsync("paniclog-b", PanicTexts.Intel("AppleCopy", 2), DateTimeOffset.UtcNow);
        var group = Assert.Single((await _lab.Queries.QueryGroupsAsync(new GroupQuery())).Groups);
        Assert.Equal(2, group.Count);
        Assert.Equal(GroupStatus.Open, group.Status); // seen again after it was resolved: a regression reopens it
    }

    public void Dispose() => _lab.Dispose();
}
