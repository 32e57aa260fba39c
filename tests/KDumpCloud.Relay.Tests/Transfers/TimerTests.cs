using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Relay.Tests.Transfers;

/// <summary>The 2 s ACK retransmission and the 50 s silence limit (kdump-protocol.md §11.2), on a fake clock:
/// real sockets, no real waiting.</summary>
public class TimerTests
{
    [Fact]
    public async Task Silence_ResendsTheLastAckEveryTwoSeconds()
    {
        var clock = new FakeTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var ack0 = await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-quiet"));

        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Null(await mac.ReceiveAsync(200));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(ack0, (await mac.ReceiveAsync())!.Value.Datagram);

        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RawKdumpPeer.Ack(1), (await mac.ReceiveAsync())!.Value.Datagram);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RawKdumpPeer.Ack(1), (await mac.ReceiveAsync())!.Value.Datagram);
    }

    [Fact]
    public async Task DatagramsReArmTheTimer()
    {
        var clock = new FakeTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-busy"));

        clock.Advance(TimeSpan.FromSeconds(1.5));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);
        clock.Advance(TimeSpan.FromSeconds(1.5));

        Assert.Null(await mac.ReceiveAsync(200));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(RawKdumpPeer.Ack(1), (await mac.ReceiveAsync())!.Value.Datagram);
    }

    [Fact]
    public async Task FiftySecondsOfSilence_GivesUpAndKeepsThePartialDump()
    {
        var clock = new FakeTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-vanished"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3, 4]), 1);

        var resent = 0;
        for (var second = 2; second <= 50; second += 2)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            if (await mac.ReceiveAsync(500) is not null)
            {
                resent++;
            }
        }

        var journal = await relay.WaitForJournalAsync("core-vanished", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Contains("50 s", journal.Reason, StringComparison.Ordinal);
        Assert.Equal(24, resent);
        Assert.Equal(4, journal.FileLength);
        Assert.Equal(24, journal.AckRetransmissions);

        // The transfer is gone: a late datagram gets nothing.
        mac.SendToTransfer(RawKdumpPeer.Data(2, [5]));
        Assert.Null(await mac.ReceiveAsync(300));
    }

    [Fact]
    public async Task FinishedTransfer_AnswersEofRetransmissionsUntilItsLingerEnds()
    {
        var clock = new FakeTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-linger"));
        await mac.ExchangeAsync(RawKdumpPeer.Eof(1), 1);

        clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(await mac.ReceiveAsync(200));
        await mac.ExchangeAsync(RawKdumpPeer.Eof(1), 1);

        clock.Advance(TimeSpan.FromSeconds(51));
        mac.SendToTransfer(RawKdumpPeer.Eof(1));
        Assert.Null(await mac.ReceiveAsync(300));
    }
}
