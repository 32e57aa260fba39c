using Azure.Data.Tables;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Dashboard.Tests.Queries;

/// <summary>The contract on Table Storage (Azurite, started by the test run; fresh tables per test).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableCrashQueriesTests(AzuriteServer azurite) : CrashQueriesContract
{
    protected override Task<(ICrashStore Store, ICrashQueries Queries)> CreateAsync()
    {
        var service = new TableServiceClient(azurite.ConnectionString);
        var groups = service.GetTableClient("g" + Guid.NewGuid().ToString("N")[..15]);
        var occurrences = service.GetTableClient("o" + Guid.NewGuid().ToString("N")[..15]);
        return Task.FromResult<(ICrashStore, ICrashQueries)>((new TableCrashStore(groups, occurrences, TimeProvider.System),
            new TableCrashQueries(groups, occurrences)));
    }
}

/// <summary>One Azurite for every test class here that talks to Storage.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "Azurite";
}
