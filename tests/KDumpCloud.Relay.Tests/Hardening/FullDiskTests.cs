using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 5: a full disk. The final ACK must mean the dump and its journal are durable (§8.2: the Mac forgets
/// the dump once it has it); when the journal cannot be written the Mac hears nothing and retransmits its EOF, and
/// each retransmission tries again. A journal write the disk refused is retried in the background until it lands,
/// and a refused write leaves no temporary file. Before the fix the final ACK went out regardless, the journal stayed
/// "Receiving" forever and refusals left empty <c>.json.tmp</c> files.
/// </summary>
/// <remarks>Two ways to make journal writes fail: a directory planted at <c>journal/&lt;name&gt;.json</c> (rename
/// onto it fails, deterministically, anywhere), and a real full disk (a small tmpfs, where the test can mount one).</remarks>
public class FullDiskTests
{
    private const int Page = 4096;

    [Fact]
    public async Task JournalBlockedByADirectory_FinalAckOnlyOnceItIsWritten()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var blocker = relay.Spool.JournalPath("core-blocked");
        Directory.CreateDirectory(blocker);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(1000, 51);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-blocked"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, content), 1);

        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.Null(await mac.ReceiveAsync(1000));
        // The kernel retransmits its EOF (§11.1); still not durable, still no final ACK.
        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.Null(await mac.ReceiveAsync(1000));
        // A retry may hold a temporary for a moment (it is synced before the rename); none stays.
        await NoTemporaryJournalStaysAsync(relay);

        Directory.Delete(blocker);
        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.Equal(RawKdumpPeer.Ack(2), (await mac.ReceiveAsync())?.Datagram);
        var journal = await relay.WaitForJournalAsync("core-blocked", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Complete, journal.State);
        Assert.Equal(content.Length, journal.FileLength);
        Assert.Equal(content, await File.ReadAllBytesAsync(relay.DumpPath("core-blocked")));
        await relay.WaitForJournalAsync("core-blocked", j => j.Sha256 is not null);
        await NoTemporaryJournalStaysAsync(relay);
    }

    [Fact]
    public async Task JournalBlockedWhenTheTransferEndsIncomplete_GetsItsTrueReasonOnceWritable()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-aborted"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);
        var dumpId = (await relay.WaitForJournalAsync("core-aborted", j => j.State == DumpState.Receiving)).DumpId;

        // The journal cannot be replaced while a directory sits at its name.
        var journalPath = relay.Spool.JournalPath("core-aborted");
        File.Delete(journalPath);
        Directory.CreateDirectory(journalPath);
        mac.SendToTransfer(KdumpDatagrams.MacError());
        await Eventually.TrueAsync(() => relay.Spool.Find(dumpId)?.State == DumpState.Incomplete, what: "the transfer ended");
        await Task.Delay(200);
        Assert.True(Directory.Exists(journalPath));
        Directory.Delete(journalPath);

        // The spool's background work retries refused journal writes every few seconds (old relay: never).
        var journal = await relay.WaitForJournalAsync("core-aborted", j => j.State != DumpState.Receiving, timeoutMs: 15_000);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal("the Mac sent an ERROR", journal.Reason);
        Assert.Equal(3, journal.FileLength);
        await NoTemporaryJournalStaysAsync(relay);
    }

    [TmpfsFact]
    public async Task FullDisk_FinalAckWaitsUntilTheJournalFitsThenSaysComplete()
    {
        using var disk = TmpfsMount.Create(512);
        await using var relay = await RelayUnderTest.StartAsync(dataDirectory: Path.Combine(disk.Path, "data"));
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(1000, 52);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-full"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, content), 1);
        await relay.WaitForJournalAsync("core-full", j => j.State == DumpState.Receiving);

        // Leave exactly one page: the dump's 1000 buffered bytes fit, the final journal does not.
        var onePage = Path.Combine(disk.Path, "one-page");
        await File.WriteAllBytesAsync(onePage, new byte[Page]);
        var filler = Path.Combine(disk.Path, "filler");
        TmpfsMount.FillUp(filler);
        File.Delete(onePage);

        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.Null(await mac.ReceiveAsync(1500));
        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.Null(await mac.ReceiveAsync(1000));
        Assert.Equal(content.Length, new FileInfo(relay.DumpPath("core-full")).Length);
        Assert.Equal(DumpState.Receiving, relay.Spool.ReadJournal("core-full")!.State);
        await NoTemporaryJournalStaysAsync(relay);

        File.Delete(filler);
        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.Equal(RawKdumpPeer.Ack(2), (await mac.ReceiveAsync())?.Datagram);
        var journal = await relay.WaitForJournalAsync("core-full", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Complete, journal.State);
        Assert.Equal(content, await File.ReadAllBytesAsync(relay.DumpPath("core-full")));
    }

    [TmpfsFact]
    public async Task FullDisk_IncompleteTransferGetsItsTrueReasonOnceSpaceFrees()
    {
        using var disk = TmpfsMount.Create(512);
        await using var relay = await RelayUnderTest.StartAsync(dataDirectory: Path.Combine(disk.Path, "data"));
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-cut"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(1000, 53)), 1);
        var dumpId = (await relay.WaitForJournalAsync("core-cut", j => j.State == DumpState.Receiving)).DumpId;
        var onePage = Path.Combine(disk.Path, "one-page");
        await File.WriteAllBytesAsync(onePage, new byte[Page]);
        var filler = Path.Combine(disk.Path, "filler");
        TmpfsMount.FillUp(filler);
        File.Delete(onePage);

        mac.SendToTransfer(KdumpDatagrams.MacError());
        await Eventually.TrueAsync(() => relay.Spool.Find(dumpId)?.State == DumpState.Incomplete, what: "the transfer ended");
        await Task.Delay(200);
        Assert.Equal(1000, new FileInfo(relay.DumpPath("core-cut")).Length);
        Assert.Equal(DumpState.Receiving, relay.Spool.ReadJournal("core-cut")!.State);
        File.Delete(filler);

        var journal = await relay.WaitForJournalAsync("core-cut", j => j.State != DumpState.Receiving, timeoutMs: 15_000);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal("the Mac sent an ERROR", journal.Reason);
        Assert.Equal(1000, journal.FileLength);
        await NoTemporaryJournalStaysAsync(relay);
    }

    [TmpfsFact]
    public async Task FullDisk_RefusedTransfersLeaveNoTemporaryJournalOrEmptyDump()
    {
        using var disk = TmpfsMount.Create(512);
        await using var relay = await RelayUnderTest.StartAsync(dataDirectory: Path.Combine(disk.Path, "data"));
        var filler = Path.Combine(disk.Path, "filler");
        TmpfsMount.FillUp(filler);

        for (var i = 0; i < 3; i++)
        {
            using var mac = new RawKdumpPeer(relay.EndPoint, $"127.0.0.{41 + i}");
            await mac.RequestAsync(RawKdumpPeer.ModernWrq($"core-nospace-{i}"));
            // Payloads are gathered in 64 KiB (DumpWriter): the write that fails is the one that fills the buffer.
            byte[]? refusal = null;
            for (uint block = 1; block <= 60 && refusal is null; block++)
            {
                mac.SendToTransfer(RawKdumpPeer.Data(block, new byte[1406]));
                var reply = (await mac.ReceiveAsync())?.Datagram ?? throw new TimeoutException($"no reply to DATA {block}");
                refusal = KdumpDatagrams.IsError(reply) ? reply : null;
            }

            Assert.NotNull(refusal);
            Assert.Equal(3, KdumpDatagrams.ErrorCode(refusal));
            Assert.DoesNotContain(relay.DataDirectory, KdumpDatagrams.ErrorText(refusal), StringComparison.Ordinal);
        }

        await Eventually.TrueAsync(() => relay.Spool.Count == 0, what: "the refused, empty dumps discarded");
        Assert.Empty(Directory.GetFileSystemEntries(relay.Spool.JournalDirectory));
        Assert.Empty(Directory.GetFileSystemEntries(relay.Spool.DumpsDirectory));

        // Space again: the next Mac is served.
        File.Delete(filler);
        using var next = new RawKdumpPeer(relay.EndPoint, "127.0.0.45");
        await next.SendAllAsync("core-after", [9, 9]);
        Assert.Equal(DumpState.Complete, (await relay.WaitForJournalAsync("core-after", j => j.State != DumpState.Receiving)).State);
    }

    /// <summary>The transfer's timer and the spool's background work retry a refused journal every few seconds, and the
    /// embedded ingest records its result in the journal, each time through a temporary that exists for the length of
    /// one write; a leftover is one that is still there after several looks.</summary>
    private static async Task NoTemporaryJournalStaysAsync(RelayUnderTest relay)
    {
        for (var look = 0; look < 10; look++)
        {
            if (Directory.GetFiles(relay.Spool.JournalDirectory, "*.tmp").Length == 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Empty(Directory.GetFiles(relay.Spool.JournalDirectory, "*.tmp"));
    }
}
