using KDumpCloud.TestSupport;

namespace KDumpCloud.Cli.Tests.Queue;

/// <summary>One Azurite for every test class here that talks to Storage; each test has its own queue, container and
/// tables (<see cref="AzureLab"/>).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "Azurite";
}
