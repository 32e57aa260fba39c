using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>Storage going away during a transfer and coming back: its own Azurite, since it stops it.</summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task StorageDownDuringTransfer_DumpSpooledThenUploadedOnceWhenItIsBack()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(new()
        {
            ["Upload:Client:Retry:MaxRetries"] = "0",
            ["Upload:MaxRetryDelay"] = "00:00:00.500",
        }));
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(200_000, 61);

        await azurite.StopAsync(deadline.Token);
        await mac.SendAllAsync("core-outage", content);
        var failed = await relay.WaitForJournalAsync("core-outage", journal => journal.Upload?.Error is not null);
        await azurite.RestartAsync(deadline.Token);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-outage");

        Assert.NotEqual(UploadStates.Sent, failed.Upload!.State);
        Assert.Equal(content, (await target.Blob(journal).DownloadContentAsync(deadline.Token)).Value.Content.ToArray());
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(journal.DumpId, message.DumpId);
    }
}
