using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 1: one source cannot create files without bound. Before the fix, a new WRQ from the same address and
/// port ended the previous transfer and created another dump, so one socket made thousands of files; requests that
/// came to nothing left empty files and journals behind. A Mac's source port is always its panicd_port (§11.1), and
/// it dumps one file at a time.
/// </summary>
public class SourceLimitTests
{
    [Fact]
    public async Task ManyNamesFromOneSocket_CreateAtMostDumpsPerHourPerSource()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:DumpsPerHourPerSource"] = "5",
            ["Relay:WriteRequestsPerSecondPerSource"] = "1000",
            ["Relay:MaxTransfersPerSource"] = "100",
        });
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.21");

        var accepted = 0;
        var refused = new List<byte[]>();
        for (var i = 0; i < 20; i++)
        {
            // Each request carries one byte, so a superseded dump is kept (not discarded as empty) and counts as a file.
            mac.SendToRelay(RawKdumpPeer.ModernWrq($"core-flood-{i}"));
            var reply = await mac.ReceiveAsync() ?? throw new TimeoutException($"no reply to WRQ {i}");
            if (KdumpDatagrams.IsError(reply.Datagram))
            {
                refused.Add(reply.Datagram);
                continue;
            }

            accepted++;
            mac.SendTo(RawKdumpPeer.Data(1, [(byte)i]), reply.From);
            Assert.Equal(RawKdumpPeer.Ack(1), (await mac.ReceiveAsync())!.Value.Datagram);
        }

        Assert.Equal(5, accepted);
        Assert.Equal(15, refused.Count);
        // A Mac past its hourly dumps is told at once (waiting will not help it), without anything about the server.
        Assert.All(refused, error => Assert.Contains("too many dumps", KdumpDatagrams.ErrorText(error), StringComparison.Ordinal));
        await Eventually.TrueAsync(() => Directory.GetFiles(relay.Spool.DumpsDirectory).Length == 5,
            what: "five dumps in dumps/: " + string.Join(", ", Directory.GetFiles(relay.Spool.DumpsDirectory).Select(Path.GetFileName)));
        Assert.Equal(5, relay.Spool.Count);
        for (var i = 5; i < 20; i++)
        {
            Assert.False(File.Exists(relay.DumpPath($"core-flood-{i}")));
        }
    }

    [Fact]
    public async Task WriteRequestFlood_PastTheRateGetsNoReply()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:WriteRequestsPerSecondPerSource"] = "2",
            ["Relay:DumpsPerHourPerSource"] = "1000",
            ["Relay:MaxTransfersPerSource"] = "100",
        });
        using var flood = new RawKdumpPeer(relay.EndPoint, "127.0.0.22");
        using var other = new RawKdumpPeer(relay.EndPoint, "127.0.0.23");

        const int sent = 60;
        for (var i = 0; i < sent; i++)
        {
            flood.SendToRelay(RawKdumpPeer.ModernWrq($"core-rate-{i}"));
        }

        var replies = await KdumpDatagrams.DrainAsync(flood, 700);

        // A burst of twice the rate, plus whatever refilled while the burst and the draining ran: far fewer than sent.
        Assert.InRange(replies.Count, 1, 16);
        Assert.True(Directory.GetFiles(relay.Spool.DumpsDirectory).Length <= replies.Count);
        // The limit is per source: another Mac is served meanwhile.
        Assert.Equal(4, (await other.RequestAsync(RawKdumpPeer.ModernWrq("core-other")))[1]);
    }

    [Fact]
    public async Task ThirdTransferFromOneAddress_IsSilentUntilOneEnds()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:MaxTransfersPerSource"] = "2",
        });
        using var first = new RawKdumpPeer(relay.EndPoint, "127.0.0.24");
        using var second = new RawKdumpPeer(relay.EndPoint, "127.0.0.24");
        using var third = new RawKdumpPeer(relay.EndPoint, "127.0.0.24");
        using var elsewhere = new RawKdumpPeer(relay.EndPoint, "127.0.0.25");
        await first.RequestAsync(RawKdumpPeer.ModernWrq("core-one"));
        await second.RequestAsync(RawKdumpPeer.ModernWrq("core-two"));

        third.SendToRelay(RawKdumpPeer.ModernWrq("core-three"));

        // Busy means silence, so the kernel keeps re-sending its WRQ (~50 s, §11.1) instead of giving up.
        Assert.Null(await third.ReceiveAsync(500));
        Assert.False(File.Exists(relay.DumpPath("core-three")));
        // Another address is not held back by this one.
        Assert.Equal(4, (await elsewhere.RequestAsync(RawKdumpPeer.ModernWrq("core-elsewhere")))[1]);

        await first.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);
        await first.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        Assert.Equal(4, (await third.RequestAsync(RawKdumpPeer.ModernWrq("core-three")))[1]);
    }

    [Fact]
    public async Task RequestSupersededBeforeAnyData_LeavesNoFileOrJournal()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.26");
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-abandoned"));
        // The first journal is written on the transfer's thread just after ACK 0: the request did create things.
        await Eventually.TrueAsync(() => File.Exists(relay.Spool.JournalPath("core-abandoned")), what: "the first journal");

        // The same Mac (same address and port) starts another dump: the first is over, with nothing in it.
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-next"));

        await Eventually.TrueAsync(() => !File.Exists(relay.DumpPath("core-abandoned")) && !File.Exists(relay.Spool.JournalPath("core-abandoned")),
            what: "the empty superseded dump and its journal deleted");
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(relay.DumpPath("core-next")));
        Assert.Equal(1, relay.Spool.Count);
        Assert.Equal(3, relay.Spool.UsedBytes);
    }

    [Fact]
    public async Task SilentAfterAck0_GivesUpAfterTwentySecondsAndLeavesNothing()
    {
        var clock = new FakeTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.27");
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-stale"));
        await Eventually.TrueAsync(() => File.Exists(relay.Spool.JournalPath("core-stale")), what: "the first journal");

        // ACK 0 is resent every 2 s (§11.2) while the transfer waits for its first DATA.
        for (var second = 2; second <= 18; second += 2)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.NotNull(await mac.ReceiveAsync());
        }

        Assert.True(File.Exists(relay.DumpPath("core-stale")), "still waiting at 18 s");
        clock.Advance(TimeSpan.FromSeconds(2));

        // KdumpTimings.FirstDataLimit: a transfer that heard nothing since its WRQ is a stale request, not a Mac
        // mid-dump; it frees its slot well before the 50 s limit and, having nothing, leaves nothing.
        await Eventually.TrueAsync(() => !File.Exists(relay.DumpPath("core-stale")) && !File.Exists(relay.Spool.JournalPath("core-stale")),
            what: "the stale request's empty file and journal deleted at 20 s");
        Assert.Equal(0, relay.Spool.Count);
        Assert.Empty(Directory.GetFileSystemEntries(relay.Spool.JournalDirectory));
        mac.SendToTransfer(RawKdumpPeer.Data(1, [1]));
        Assert.Null(await mac.ReceiveAsync(300));
    }

    [Fact]
    public async Task RefusedRequests_DoNotSpendTheHourlyDumpBudget()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        Directory.CreateDirectory(Path.Combine(dataDirectory, "dumps"));
        await File.WriteAllBytesAsync(Path.Combine(dataDirectory, "dumps", "core-taken"), [1]);
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:DumpsPerHourPerSource"] = "3",
        }, dataDirectory: dataDirectory);
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.28");
        for (var i = 0; i < 3; i++)
        {
            mac.SendToRelay(RawKdumpPeer.ModernWrq("core-taken"));
            Assert.Equal("File exists", KdumpDatagrams.ErrorText((await mac.ReceiveAsync())!.Value.Datagram));
        }

        // No dump was started, so the Mac's next dump is served (today: "too many dumps from this Mac, try later").
        var reply = await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-fresh"));
        Assert.True(reply[1] == 4, RawKdumpPeer.Describe(reply));
    }
}
