using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 2: finished transfers are bounded. A finished transfer lingers ~50 s to answer a retransmitted EOF
/// (§8.2, §11.1); before the fix it kept its thread, file handle and buffers all that time, uncounted, so hundreds of
/// short transfers grew the process to hundreds of threads, and deleting a dump freed no space.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public class FinishedTransferTests
{
    private static readonly Dictionary<string, string?> Unthrottled = new()
    {
        ["Relay:WriteRequestsPerSecondPerSource"] = "1000",
        ["Relay:DumpsPerHourPerSource"] = "1000",
    };

    [Fact]
    public async Task ManyShortTransfers_LeaveNoTransferThreadBehindButStillAnswerEof()
    {
        await using var relay = await RelayUnderTest.StartAsync(Unthrottled);
        var before = ProcessProbe.TransferThreads();
        var macs = new List<RawKdumpPeer>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.31");
                macs.Add(mac);
                await mac.SendAllAsync($"core-short-{i}", [(byte)i, 1, 2]);
            }

            // The receive thread exits once the transfer ends; only an async linger remains (old relay: 30 threads
            // for 50 s).
            await Eventually.TrueAsync(() => ProcessProbe.TransferThreads() <= before,
                what: $"transfer threads back to {before}; now {ProcessProbe.TransferThreads()}");

            // ...and the linger still answers the first Mac's retransmitted EOF with the final ACK (§8.2).
            await macs[0].ExchangeAsync(RawKdumpPeer.Eof(2), 2);
            await macs[^1].ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        }
        finally
        {
            macs.ForEach(mac => mac.Dispose());
        }
    }

    [Fact]
    public async Task MaxLingeringTransfers_OldestStopsAnsweringNewestStillDoes()
    {
        var settings = new Dictionary<string, string?>(Unthrottled) { ["Relay:MaxLingeringTransfers"] = "2" };
        await using var relay = await RelayUnderTest.StartAsync(settings);
        var macs = Enumerable.Range(0, 5).Select(_ => new RawKdumpPeer(relay.EndPoint, "127.0.0.32")).ToList();
        try
        {
            for (var i = 0; i < macs.Count; i++)
            {
                await macs[i].SendAllAsync($"core-linger-{i}", [(byte)i]);
            }

            // The oldest lingerer was ended when the third finished; it no longer answers (old relay: it did, for 50 s).
            // A transfer is told to stop just after its final ACK, so allow that moment.
            var answered = 0;
            while (await ProbeEof(macs[0]) is not null)
            {
                Assert.True(++answered < 10, "the oldest lingerer still answers its EOF");
            }

            Assert.Null(await ProbeEof(macs[1]));
            Assert.Null(await ProbeEof(macs[2]));
            await macs[3].ExchangeAsync(RawKdumpPeer.Eof(2), 2);
            await macs[4].ExchangeAsync(RawKdumpPeer.Eof(2), 2);

            // Ending a lingerer never touches its dump.
            var journal = await relay.WaitForJournalAsync("core-linger-0", j => j.Sha256 is not null);
            Assert.Equal(DumpState.Complete, journal.State);
        }
        finally
        {
            macs.ForEach(mac => mac.Dispose());
        }
    }

    private static async Task<byte[]?> ProbeEof(RawKdumpPeer mac)
    {
        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        return (await mac.ReceiveAsync(400))?.Datagram;
    }

    [Fact]
    public async Task FinishedTransfer_HoldsNoDescriptorOnItsDump()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.33");
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-closed"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(1406, 33)), 1);
        var path = relay.DumpPath("core-closed");
        Assert.Equal(1, ProcessProbe.DescriptorsOpenOn(path));

        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);

        // The hash opens it briefly in the background; once that is recorded, nothing holds the file, though the
        // transfer still lingers to answer EOF (old relay: the descriptor stayed open for the 50 s linger).
        await relay.WaitForJournalAsync("core-closed", j => j.Sha256 is not null);
        await Eventually.TrueAsync(() => ProcessProbe.DescriptorsOpenOn(path) == 0, what: "no descriptor on the finished dump");
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);

        // Deleting it by hand frees its space at once: nothing keeps the inode alive.
        File.Delete(path);
        Assert.Equal(0, ProcessProbe.DescriptorsOpenOn(path));
    }
}
