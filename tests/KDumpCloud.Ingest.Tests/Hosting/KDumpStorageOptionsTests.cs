using Azure.Identity;
using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Tests.Hosting;

/// <summary>The one <c>KDumpStorage</c> shape every host reads, checked for the services each host needs: the relay
/// blob and queue, the ingest blob and table.</summary>
public sealed class KDumpStorageOptionsTests
{
    private const StorageServices Relay = StorageServices.Blob | StorageServices.Queue;
    private const StorageServices Ingest = StorageServices.Blob | StorageServices.Table;

    /// <summary>A service SAS for blobs and tables only, as a lab might hand the ingest: no queue endpoint in it.</summary>
    private const string BlobAndTableOnly =
        "BlobEndpoint=https://lab.blob.core.windows.net/;TableEndpoint=https://lab.table.core.windows.net/;SharedAccessSignature=sv=2024-11-04&sig=x";

    [Fact]
    public void Bind_BothForms_ReadFromTheOneKey()
    {
        var connection = Read(new() { ["KDumpStorage"] = "UseDevelopmentStorage=true" });
        var identity = Read(new()
        {
            ["KDumpStorage:blobServiceUri"] = "https://lab.blob.core.windows.net",
            ["KDumpStorage:queueServiceUri"] = "https://lab.queue.core.windows.net",
            ["KDumpStorage:tableServiceUri"] = "https://lab.table.core.windows.net",
            ["KDumpStorage:clientId"] = "00000000-0000-0000-0000-00000000c11d",
            ["KDumpStorage:credential"] = "managedidentity",
        });

        Assert.Equal("UseDevelopmentStorage=true", connection.ConnectionString);
        Assert.Null(connection.BlobServiceUri);
        Assert.Null(identity.ConnectionString);
        Assert.Equal("https://lab.blob.core.windows.net", identity.BlobServiceUri);
        Assert.Equal("https://lab.queue.core.windows.net", identity.QueueServiceUri);
        Assert.Equal("https://lab.table.core.windows.net", identity.TableServiceUri);
        Assert.Equal("00000000-0000-0000-0000-00000000c11d", identity.ClientId);
        Assert.Equal("managedidentity", identity.Credential);
        Assert.False(KDumpStorageOptions.IsConfigured(new ConfigurationBuilder().Build()));
        Assert.True(KDumpStorageOptions.IsConfigured(Configuration(new() { ["KDumpStorage:clientId"] = "x" })));
    }

    [Theory]
    [InlineData(Relay, "KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net", "KDumpStorage:queueServiceUri is missing")]
    [InlineData(Relay, "KDumpStorage:queueServiceUri=https://lab.queue.core.windows.net", "KDumpStorage:blobServiceUri is missing")]
    [InlineData(Ingest, "KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net", "KDumpStorage:tableServiceUri is missing")]
    [InlineData(Ingest, "KDumpStorage:tableServiceUri=https://lab.table.core.windows.net", "KDumpStorage:blobServiceUri is missing")]
    [InlineData(Relay, "KDumpStorage:blobServiceUri=ftp://lab|KDumpStorage:queueServiceUri=https://lab.queue.core.windows.net", "KDumpStorage:blobServiceUri 'ftp://lab' is not an absolute https URI such as https://account.blob.core.windows.net")]
    [InlineData(Ingest, "KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net|KDumpStorage:tableServiceUri=https://lab.table.core.windows.net|KDumpStorage:queueServiceUri=lab.queue", "KDumpStorage:queueServiceUri 'lab.queue'")]
    [InlineData(Relay, "KDumpStorage=" + BlobAndTableOnly, "KDumpStorage is a connection string without a queue endpoint")]
    [InlineData(Ingest, "KDumpStorage=QueueEndpoint=https://lab.queue.core.windows.net/;SharedAccessSignature=sv=2024-11-04&sig=x", "KDumpStorage is a connection string without a blob endpoint")]
    [InlineData(Ingest, "KDumpStorage=not a connection string", "KDumpStorage is not a usable storage connection string")]
    [InlineData(Ingest, "KDumpStorage=UseDevelopmentStorage=true|KDumpStorage:credential=clientsecret", "KDumpStorage:credential 'clientsecret'")]
    public void Validate_WhatTheHostNeedsIsMissingOrWrong_FailsNamingTheKey(StorageServices required, string settings, string expected)
    {
        var result = new KDumpStorageOptionsValidator(required).Validate(null, Read(Settings(settings)));

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Relay, "KDumpStorage=UseDevelopmentStorage=true")]
    [InlineData(Ingest, "KDumpStorage=UseDevelopmentStorage=true")]
    [InlineData(Ingest, "KDumpStorage=" + BlobAndTableOnly)]
    [InlineData(Relay, "KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net|KDumpStorage:queueServiceUri=http://127.0.0.1:10001/devstoreaccount1")]
    [InlineData(Ingest, "KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net|KDumpStorage:tableServiceUri=https://lab.table.core.windows.net|KDumpStorage:credential=ManagedIdentity")]
    public void Validate_WhatTheHostNeedsIsThere_Succeeds(StorageServices required, string settings)
    {
        var result = new KDumpStorageOptionsValidator(required).Validate(null, Read(Settings(settings)));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void CreateCredential_ManagedIdentityOnlyWhenAskedFor()
    {
        Assert.IsType<DefaultAzureCredential>(new KDumpStorageOptions().CreateCredential());
        Assert.IsType<ManagedIdentityCredential>(new KDumpStorageOptions { Credential = "managedidentity" }.CreateCredential());
        Assert.IsType<ManagedIdentityCredential>(new KDumpStorageOptions { Credential = "managedidentity", ClientId = "c" }.CreateCredential());
    }

    [Fact]
    public void AddKDumpStorageOptions_TwoHostsInOneContainer_CheckWhatEitherNeeds_OnceEach()
    {
        var configuration = Configuration(new() { ["KDumpStorage:blobServiceUri"] = "https://lab.blob.core.windows.net" });
        var services = new ServiceCollection();

        services.AddKDumpStorageOptions(configuration, Relay);
        services.AddKDumpStorageOptions(configuration, Ingest);
        services.AddKDumpStorageOptions(configuration, Relay);

        using var provider = services.BuildServiceProvider();
        Assert.Equal(2, provider.GetServices<IValidateOptions<KDumpStorageOptions>>().Count());
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value);
        Assert.Single(error.Failures, failure => failure.StartsWith("KDumpStorage:queueServiceUri is missing", StringComparison.Ordinal));
        Assert.Single(error.Failures, failure => failure.StartsWith("KDumpStorage:tableServiceUri is missing", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KDumpStorageOptionsValidator(StorageServices.None));
    }

    private static Dictionary<string, string?> Settings(string settings) =>
        settings.Split('|').Select(s => s.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static KDumpStorageOptions Read(Dictionary<string, string?> settings)
    {
        var options = new KDumpStorageOptions();
        KDumpStorageOptions.Bind(Configuration(settings), options);
        return options;
    }
}
