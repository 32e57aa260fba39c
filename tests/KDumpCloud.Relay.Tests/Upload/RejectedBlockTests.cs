using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>
/// A block the storage service rejects. A proxy between the relay and Azurite's blob endpoint flips one byte in the
/// body of the first Put Block; the request keeps the Content-MD5 the relay computed, and Azurite (3.37, like the real
/// service) checks the body against it and answers 400 Md5Mismatch. The rejection is the service's own; the proxy only
/// damages bytes on the wire, as a bad link would.
/// </summary>
public sealed class RejectedBlockTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private const int UploadFailedEventId = 402;
    private const int CircuitOpenedEventId = 420;

    [Fact]
    public async Task BlockDamagedOnTheWay_ServiceRejectsIt_UploadRecoversToAnIdenticalBlobAndOneMessage()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var proxy = new CorruptingBlobProxy(azurite.BlobEndpoint);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        var throughProxy = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};" +
            $"BlobEndpoint={proxy.BlobEndpoint(azurite.BlobEndpoint)};QueueEndpoint={azurite.QueueEndpoint};";
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(new() { ["KDumpStorage"] = throughProxy }),
            services: UploadTarget.CaptureLogs);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(300_000, 71);

        await mac.SendAllAsync("core-rejected-block", content);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-rejected-block", 20_000);

        var rejection = await proxy.Rejection.Task.WaitAsync(deadline.Token);
        Assert.StartsWith("HTTP/1.1 400 ", rejection, StringComparison.Ordinal);
        Assert.Contains("MD5", rejection, StringComparison.Ordinal);
        var failed = Assert.Single(UploadTarget.Logs(relay, UploadFailedEventId));
        Assert.Contains("Md5Mismatch", failed.Message, StringComparison.Ordinal);
        Assert.Empty(UploadTarget.Logs(relay, CircuitOpenedEventId)); // a refused block is not an outage

        var spooled = await File.ReadAllBytesAsync(relay.DumpPath("core-rejected-block"), deadline.Token);
        var uploaded = (await target.Blob(journal).DownloadContentAsync(deadline.Token)).Value.Content.ToArray();
        Assert.Equal(content, spooled);
        Assert.Equal(spooled, uploaded);
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(journal.DumpId, message.DumpId);
        Assert.Equal(journal.Sha256, message.Sha256);
    }
}
