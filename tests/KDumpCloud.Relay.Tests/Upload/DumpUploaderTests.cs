using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>The uploader end to end: real UDP on loopback into the real relay, real blobs and messages in Azurite.
/// One Azurite for the class; each test has its own container and queue.</summary>
public sealed class DumpUploaderTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ModernCore_Sent_OneCommittedBlobEqualToTheSpoolAndOneMessage()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings());
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(300_000, 11);

        await mac.SendAllAsync("core-xnu-7195.141.2~1-10.0.40.7", content);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-xnu-7195.141.2~1-10.0.40.7");

        var blob = target.Blob(journal);
        var stored = (await blob.DownloadContentAsync(deadline.Token)).Value;
        var bytes = stored.Content.ToArray();
        Assert.Equal(content, bytes);
        Assert.Equal(journal.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(UploadStates.Sent, journal.Upload!.State);
        Assert.Contains(journal.DumpId.ToString("D"), blob.Name, StringComparison.Ordinal);
        var metadata = stored.Details.Metadata;
        Assert.Equal(journal.DumpId.ToString("D"), metadata["dumpid"]);
        Assert.Equal(journal.Sha256, metadata["sha256"]);
        Assert.Equal("complete", metadata["state"]);
        Assert.Equal("300000", metadata["size"]);
        Assert.Equal(journal.FileName, Uri.UnescapeDataString(metadata["filename"]));
        Assert.Equal(journal.Client, Uri.UnescapeDataString(metadata["client"]));
        Assert.Equal("relay-under-test", metadata["relayhost"]);
        Assert.True(metadata.ContainsKey("finishedat"));
        var committed = (await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: deadline.Token)).Value;
        Assert.Equal(BlockIds.All(300_000, 64 << 10), committed.CommittedBlocks.Select(block => block.Name));

        var (raw, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.StartsWith("ey", raw, StringComparison.Ordinal); // base64 of '{"'
        Assert.Equal(journal.DumpId, message.DumpId);
        Assert.Equal(blob.Uri, message.BlobUri);
        Assert.Equal(300_000, message.Size);
        Assert.Equal(journal.Sha256, message.Sha256);
        Assert.True(message.Complete);
        Assert.Equal(journal.Client, message.Client);
        Assert.Equal(journal.FileName, message.FileName);
    }

    [Fact]
    public async Task KernelMadeName_KindAndKernelVersionInMetadataAndMessage()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings());
        using var mac = new RawKdumpPeer(relay.EndPoint);
        const string name = "core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz";

        await mac.SendAllAsync(name, TestContent.Random(90_000, 12));
        var journal = await UploadTarget.WaitUntilSentAsync(relay, name);

        var metadata = (await target.Blob(journal).GetPropertiesAsync(cancellationToken: deadline.Token)).Value.Metadata;
        Assert.Equal("core", metadata["kind"]);
        Assert.Equal("xnu-11417.121.6", metadata["kernelversion"]);
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal("core", message.Kind);
        Assert.Equal("xnu-11417.121.6", message.KernelVersion);
    }

    [Fact]
    public async Task MachOSeek_RewriteIntoAnAlreadyStagedBlock_BlobEqualsTheFile()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 8 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings());
        using var feed = relay.Spool.Subscribe();
        using var mac = new RawKdumpPeer(relay.EndPoint);

        // §7, pre-10.11: 512-byte DATA, the segments first, then a SEEK back to fill in the header.
        await mac.RequestAsync(RawKdumpPeer.LegacyWrq("core-macho-10.9"));
        uint block = 1;
        for (var i = 0; i < 160; i++, block++)
        {
            await mac.ExchangeAsync(RawKdumpPeer.Data(block, TestContent.Random(512, 100 + i)), block);
        }

        // The writer's first 64 KiB are on disk: wait until the service holds block 0, then rewrite inside it.
        var blob = target.Container.GetBlockBlobClient(BlobNames.For(relay.Spool.Find(
            (await feed.Started.ReadAsync(deadline.Token)).DumpId)!));
        await Eventually.TrueAsync(() => Staged(blob, BlockIds.For(0)), 10_000, "block 0 was never staged");
        var header = TestContent.Random(512, 7);
        await mac.ExchangeAsync(RawKdumpPeer.Seek32(block, 100), block++);
        await mac.ExchangeAsync(RawKdumpPeer.Data(block, header), block++);
        await mac.ExchangeAsync(RawKdumpPeer.Seek32(block, 160 * 512), block++);
        await mac.ExchangeAsync(RawKdumpPeer.Data(block, TestContent.Random(300, 8)), block++);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(block), block);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-macho-10.9");

        var file = await File.ReadAllBytesAsync(relay.DumpPath("core-macho-10.9"), deadline.Token);
        var uploaded = (await blob.DownloadContentAsync(deadline.Token)).Value.Content.ToArray();
        Assert.Equal(header, file[100..612]);
        Assert.Equal(160 * 512 + 300, file.Length);
        Assert.Equal(file, uploaded);
        Assert.Equal(journal.Sha256, Convert.ToHexStringLower(SHA256.HashData(uploaded)));
        Assert.Single(await target.DrainAsync(deadline.Token));

        static bool Staged(BlockBlobClient blob, string id)
        {
            try
            {
                return blob.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Any(b => b.Name == id);
            }
            catch (RequestFailedException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task IncompleteDump_UploadedAndMarkedIncomplete()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 1024);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(new() { ["Relay:MaxDumpBytes"] = "3000" }));
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var first = TestContent.Random(1406, 21);
        var second = TestContent.Random(1406, 22);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-too-big"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, first), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Data(2, second), 2);
        mac.SendToTransfer(RawKdumpPeer.Data(3, new byte[1406])); // past Relay:MaxDumpBytes: ERROR, kept as incomplete

        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-too-big");

        Assert.Equal(DumpState.Incomplete, journal.State);
        var stored = (await target.Blob(journal).DownloadContentAsync(deadline.Token)).Value;
        Assert.Equal([.. first, .. second], stored.Content.ToArray());
        Assert.Equal("incomplete", stored.Details.Metadata["state"]);
        Assert.Equal(journal.Reason, Uri.UnescapeDataString(stored.Details.Metadata["reason"]));
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.False(message.Complete);
        Assert.Equal(2812, message.Size);
        Assert.Equal(journal.Reason, message.Reason);
    }

    [Theory]
    [InlineData(UploadStates.Committed)] // stopped after the commit was journaled, before the message
    [InlineData(UploadStates.Staging)] // stopped after the commit, before it was journaled
    public async Task RestartAfterCommitBeforeMessage_OneMessageAndNoSecondCommit(string journaledState)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        DumpJournal uploaded;
        await using (var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: dataDirectory))
        {
            using var mac = new RawKdumpPeer(relay.EndPoint);
            await mac.SendAllAsync("core-resume", TestContent.Random(200_000, 31));
            uploaded = await UploadTarget.WaitUntilSentAsync(relay, "core-resume");
        }

        // As if the relay had stopped before the message went out: the message is not there, the journal says less.
        Assert.Single(await target.DrainAsync(deadline.Token));
        var blob = target.Blob(uploaded);
        var before = (await blob.GetPropertiesAsync(cancellationToken: deadline.Token)).Value;
        new JournalFiles(Path.Combine(dataDirectory, "journal")).Write(
            uploaded with { Upload = uploaded.Upload! with { State = journaledState } }, durable: true);

        await using (var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: dataDirectory))
        {
            await UploadTarget.WaitUntilSentAsync(relay, "core-resume");
        }

        var after = (await blob.GetPropertiesAsync(cancellationToken: deadline.Token)).Value;
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(before.LastModified, after.LastModified);
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(uploaded.DumpId, message.DumpId);
        Assert.Equal(uploaded.Sha256, message.Sha256);
    }

    [Fact]
    public async Task DumpSpooledBeforeUploadingWasConfigured_UploadedAtStart()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var content = TestContent.Random(150_000, 41);
        await using (var relay = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory))
        {
            using var mac = new RawKdumpPeer(relay.EndPoint);
            await mac.SendAllAsync("core-before", content);
            var spooled = await relay.WaitForJournalAsync("core-before", journal => journal.Sha256 is not null);
            Assert.Null(spooled.Upload);
        }

        await using (var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: dataDirectory))
        {
            var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-before");
            Assert.Equal(content, (await target.Blob(journal).DownloadContentAsync(deadline.Token)).Value.Content.ToArray());
        }

        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal("core-before", message.FileName);
    }
}
