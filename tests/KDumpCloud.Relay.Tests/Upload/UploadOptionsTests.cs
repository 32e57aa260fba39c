using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Tests.Upload;

public class UploadOptionsTests
{
    private const string Unreachable =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AzuriteServer.AccountKey +
        ";BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    [Theory]
    [InlineData("KDumpStorage", "not a connection string", "KDumpStorage is not a usable storage connection string")]
    [InlineData("KDumpStorage:blobServiceUri", "https://account.blob.core.windows.net", "KDumpStorage:queueServiceUri is missing")]
    [InlineData("KDumpStorage:queueServiceUri", "https://account.queue.core.windows.net", "KDumpStorage:blobServiceUri is missing")]
    [InlineData("KDumpStorage:credential", "clientsecret", "KDumpStorage:credential 'clientsecret' is not supported")]
    public async Task InvalidStorage_FailsAtStartNamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RelayUnderTest.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentityFormWithANonHttpUri_FailsAtStartNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["KDumpStorage:blobServiceUri"] = "ftp://account.blob.core.windows.net",
            ["KDumpStorage:queueServiceUri"] = "https://account.queue.core.windows.net",
        }));
        Assert.Contains("KDumpStorage:blobServiceUri 'ftp://", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upload:Container", "Bad_Name", "Upload:Container")]
    [InlineData("Upload:Queue", "q", "Upload:Queue")]
    [InlineData("Upload:BlockSizeBytes", "10", "BlockSizeBytes")]
    [InlineData("Upload:MaxParallelBlocks", "0", "MaxParallelBlocks")]
    [InlineData("Upload:OperationTimeout", "00:00:00.001", "OperationTimeout")]
    [InlineData("Upload:BreakerFailureRatio", "0", "BreakerFailureRatio")]
    [InlineData("Upload:BreakerMinimumThroughput", "1", "BreakerMinimumThroughput")]
    [InlineData("Upload:BreakerSamplingDuration", "00:00:00.100", "BreakerSamplingDuration")]
    [InlineData("Upload:BreakDuration", "00:00:00.100", "BreakDuration")]
    [InlineData("Upload:BacklogLogInterval", "00:00:00", "BacklogLogInterval")]
    [InlineData("Upload:BlockSizeBytes", "65536", "Upload:BlockSizeBytes (65536) is too small for Relay:MaxDumpBytes")]
    public async Task InvalidUploadOptions_FailAtStartNamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["KDumpStorage"] = "UseDevelopmentStorage=true",
            [key] = value,
        }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutKDumpStorage_NoUploaderAndNoStorageClients()
    {
        await using var relay = await RelayUnderTest.StartAsync();

        Assert.DoesNotContain(relay.Services.GetServices<IHostedService>(), service => service is DumpUploader);
        Assert.Null(relay.Services.GetService<UploadStorage>());
    }

    [Fact]
    public async Task IdentityForm_StartsWithoutContactingTheAccount()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["KDumpStorage:blobServiceUri"] = "https://kdumpcloudtest.blob.core.windows.net",
            ["KDumpStorage:queueServiceUri"] = "https://kdumpcloudtest.queue.core.windows.net",
        });

        var storage = relay.Services.GetRequiredService<UploadStorage>();
        Assert.Equal("https://kdumpcloudtest.blob.core.windows.net/dumps", storage.ContainerUri.ToString());
        Assert.Equal("https://kdumpcloudtest.queue.core.windows.net/dump-ingest", storage.QueueUri.ToString());
    }

    [Fact]
    public async Task UnreachableAccount_RelayStillSpoolsAndRecordsTheFailure()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["KDumpStorage"] = Unreachable,
            ["Upload:RetryDelay"] = "00:00:01",
            ["Upload:Client:Retry:MaxRetries"] = "0",
        });
        using var mac = new RawKdumpPeer(relay.EndPoint);

        await mac.SendAllAsync("core-offline", TestContent.Random(5000, 51));

        var journal = await relay.WaitForJournalAsync("core-offline", j => j.Upload?.Error is not null, 15_000);
        Assert.Equal(DumpState.Complete, journal.State);
        Assert.NotEqual(UploadStates.Sent, journal.Upload!.State);
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await relay.StopAsync();
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }
}
