using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>
/// The relay as a real process, killed with SIGKILL at the uploader's worst moments and started again on the same
/// data directory: each case ends with one committed blob, byte-identical to the spool file, and one ingest message.
/// A pausable TCP proxy in front of Azurite's blob or queue service holds the uploader at the chosen moment.
/// </summary>
public sealed class UploadCrashTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>, IAsyncLifetime
{
    private const int Packet = 1406;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n"));

    private string DataDirectory => Path.Combine(_scratch, "data");

    [Fact]
    public async Task KilledMidTransfer_RestartUploadsTheDurableBytesAsIncomplete_TheMacsRetriesGoNowhere()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 4096);
        var first = await StartRelayAsync(target.Settings());
        using var mac = new RawKdumpPeer(first.EndPoint);
        var content = TestContent.Random(300 * Packet, 91);
        const uint sent = 150;

        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-killed-receiving"));
        for (uint block = 1; block <= sent; block++)
        {
            await ExchangeAsync(mac, Data(content, block), block);
        }

        // The uploader is following the dump: some blocks are staged when the relay dies.
        var staging = await first.WaitForJournalAsync("core-killed-receiving", j => j.Upload?.Blob is not null);
        var blob = target.Container.GetBlockBlobClient(staging.Upload!.Blob);
        await Eventually.TrueAsync(() => UncommittedBlocks(blob) > 0, 30_000, "no block was staged before the kill");
        await first.KillAsync();
        Assert.Equal(137, first.ExitCode);

        // §11.1: the kernel retransmits the next DATA to the transfer port it learnt; nothing answers it there,
        // before or after the restart (the new relay knows nothing of the old transfer), so no second dump starts.
        var second = await StartRelayAsync(target.Settings(), first.Port);
        while (await mac.ReceiveAsync(200) is not null)
        {
            // re-ACKs the first relay sent while this test waited for staging
        }

        mac.SendToTransfer(Data(content, sent + 1));
        for (var listenedUntil = Environment.TickCount64 + 1000; Environment.TickCount64 < listenedUntil;)
        {
            if (await mac.ReceiveAsync(200) is { } reply)
            {
                Assert.False(reply.Datagram is [0, 4 or 5, ..], $"the retransmission was answered: {RawKdumpPeer.Describe(reply.Datagram)}");
            }
        }

        var journal = await second.WaitForJournalAsync("core-killed-receiving", j => j.Upload?.State == UploadStates.Sent);
        var spooled = await File.ReadAllBytesAsync(second.DumpPath("core-killed-receiving"), deadline.Token);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal(staging.DumpId, journal.DumpId);

        // Durable: what the writer had handed to the file; at most its 64 KiB gathering buffer of ACKed bytes died
        // with the process (DumpWriter).
        Assert.InRange(spooled.Length, (int)sent * Packet - (64 << 10), (int)sent * Packet);
        Assert.Equal(content[..spooled.Length], spooled);
        await UploadEndToEndTests.AssertUploadedAsync(target, journal, spooled, complete: false, 4096, deadline.Token);
        Assert.Single(Directory.GetFiles(Path.Combine(DataDirectory, "dumps")));
    }

    [Fact]
    public async Task KilledMidUpload_BlocksStagedNotCommitted_RestartCommitsOnceAndSendsOneMessage()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 8192);
        var blobs = Proxy(azurite.BlobEndpoint);
        var first = await StartRelayAsync(target.Settings(Through(blobs: blobs.Endpoint)));
        using var mac = new RawKdumpPeer(first.EndPoint);
        var content = TestContent.Random(400 * Packet + 321, 92);

        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-killed-uploading"));
        uint block = 1;
        for (; block <= 100; block++)
        {
            await ExchangeAsync(mac, Data(content, block), block);
        }

        var staging = await first.WaitForJournalAsync("core-killed-uploading", j => j.Upload?.Blob is not null);
        var blob = target.Container.GetBlockBlobClient(staging.Upload!.Blob);
        await Eventually.TrueAsync(() => UncommittedBlocks(blob) > 0, 30_000, "no block was staged before the pause");

        // Storage stalls: the transfer is not held up by it (the ACKs never wait on the cloud) and ends complete,
        // but nothing more is staged and nothing is committed.
        blobs.Pause();
        for (; (block - 1) * Packet < content.Length; block++)
        {
            await ExchangeAsync(mac, Data(content, block), block);
        }

        await ExchangeAsync(mac, RawKdumpPeer.Eof(block), block);
        var finished = await first.WaitForJournalAsync("core-killed-uploading", j => j is { State: DumpState.Complete, Sha256: not null });
        Assert.Equal(UploadStates.Staging, finished.Upload!.State);
        Assert.InRange(UncommittedBlocks(blob), 1, BlockIds.All(content.Length, 8192).Count - 1);
        await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync(cancellationToken: deadline.Token));

        await first.KillAsync();
        blobs.Resume();
        var second = await StartRelayAsync(target.Settings(Through(blobs: blobs.Endpoint)), first.Port);

        var journal = await second.WaitForJournalAsync("core-killed-uploading", j => j.Upload?.State == UploadStates.Sent);
        var spooled = await File.ReadAllBytesAsync(second.DumpPath("core-killed-uploading"), deadline.Token);
        Assert.Equal(content, spooled);
        Assert.Equal(finished.DumpId, journal.DumpId);
        Assert.Equal(DumpState.Complete, journal.State);
        await UploadEndToEndTests.AssertUploadedAsync(target, journal, spooled, complete: true, 8192, deadline.Token);
    }

    [Fact]
    public async Task KilledBetweenCommitAndMessage_RestartSendsOneMessageAndDoesNotCommitAgain()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 16384);
        var queue = Proxy(azurite.QueueEndpoint);
        var first = await StartRelayAsync(target.Settings(Through(queue: queue.Endpoint)));
        using var mac = new RawKdumpPeer(first.EndPoint);
        var content = TestContent.Random(200 * Packet + 17, 93);

        // Start the dump, and let the uploader create the container and the queue (through the proxy) first.
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-killed-committed"));
        uint block = 1;
        await ExchangeAsync(mac, Data(content, block), block++);
        await first.WaitForJournalAsync("core-killed-committed", j => j.Upload?.State == UploadStates.Staging);

        // The queue stalls: the blob is committed and journaled, the message cannot go out.
        queue.Pause();
        for (; (block - 1) * Packet < content.Length; block++)
        {
            await ExchangeAsync(mac, Data(content, block), block);
        }

        await ExchangeAsync(mac, RawKdumpPeer.Eof(block), block);
        var committed = await first.WaitForJournalAsync("core-killed-committed", j => j.Upload?.State == UploadStates.Committed);
        var blob = target.Blob(committed);
        var before = (await blob.GetPropertiesAsync(cancellationToken: deadline.Token)).Value;
        Assert.Empty(await target.DrainAsync(deadline.Token));

        await first.KillAsync();
        queue.Resume();
        var second = await StartRelayAsync(target.Settings(Through(queue: queue.Endpoint)), first.Port);

        var journal = await second.WaitForJournalAsync("core-killed-committed", j => j.Upload?.State == UploadStates.Sent);
        var after = (await blob.GetPropertiesAsync(cancellationToken: deadline.Token)).Value;
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(before.LastModified, after.LastModified);
        var spooled = await File.ReadAllBytesAsync(second.DumpPath("core-killed-committed"), deadline.Token);
        Assert.Equal(content, spooled);
        await UploadEndToEndTests.AssertUploadedAsync(target, journal, spooled, complete: true, 16384, deadline.Token);
    }

    /// <summary>Sends and waits for the ACK of <paramref name="block"/>, passing over the relay's re-ACKs of the
    /// block before (§11.2: it repeats its last ACK every 2 s of silence, as while this test waits on storage), and
    /// anything not from the transfer's port (other tests on this machine use loopback too).</summary>
    private static async Task ExchangeAsync(RawKdumpPeer mac, byte[] datagram, uint block)
    {
        mac.SendToTransfer(datagram);
        while (true)
        {
            var reply = await mac.ReceiveAsync(10_000) ?? throw new TimeoutException($"no ACK for block {block}");
            if (reply.From.Equals(mac.TransferEndPoint) && !reply.Datagram.AsSpan().SequenceEqual(RawKdumpPeer.Ack(block - 1)))
            {
                Assert.True(reply.Datagram.AsSpan().SequenceEqual(RawKdumpPeer.Ack(block)),
                    $"expected ACK {block}, got {RawKdumpPeer.Describe(reply.Datagram)} from {reply.From}");
                return;
            }
        }
    }

    private static byte[] Data(byte[] content, uint block)
    {
        var offset = (int)(block - 1) * Packet;
        return RawKdumpPeer.Data(block, content.AsSpan(offset, Math.Min(Packet, content.Length - offset)));
    }

    private static int UncommittedBlocks(BlockBlobClient blob)
    {
        try
        {
            return blob.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Count();
        }
        catch (RequestFailedException)
        {
            return 0;
        }
    }

    /// <summary>Settings that reach Azurite's blob or queue service through a proxy (and the other directly).</summary>
    private Dictionary<string, string?> Through(Uri? blobs = null, Uri? queue = null) => new()
    {
        ["KDumpStorage"] = "DefaultEndpointsProtocol=http;" +
            $"AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};" +
            $"BlobEndpoint={blobs ?? azurite.BlobEndpoint};QueueEndpoint={queue ?? azurite.QueueEndpoint};",
    };

    private async Task<RelayProcess> StartRelayAsync(Dictionary<string, string?> settings, int port = 0)
    {
        var relay = await RelayProcess.StartAsync(DataDirectory, settings, port);
        _owned.Add(relay);
        return relay;
    }

    private StorageProxy Proxy(Uri service)
    {
        var proxy = StorageProxy.Start(service);
        _owned.Add(proxy);
        return proxy;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Kills every relay this test started, stops its proxies and deletes its data.</summary>
    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
