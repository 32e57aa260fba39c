using KDumpCloud.TestSupport;

namespace KDumpCloud.Ingest.Tests.Azure;

/// <summary>One Azurite for every test class that talks to Storage; each test makes its own tables and containers.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "Azurite";

    /// <summary>A name no other test uses: a letter, then 15 hex digits (valid for tables, containers and queues).</summary>
    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..15];
}
