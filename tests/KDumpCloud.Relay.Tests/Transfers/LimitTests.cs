using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Transfers;

public class LimitTests
{
    [Fact]
    public async Task DumpPastMaxDumpBytes_IsStoppedWithDiskFullAndKeepsWhatArrived()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:MaxDumpBytes"] = "3000",
        });
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-big"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, new byte[1406]), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Data(2, new byte[1406]), 2);

        mac.SendToTransfer(RawKdumpPeer.Data(3, new byte[1406]));
        var refusal = (await mac.ReceiveAsync())!.Value.Datagram;
        // The kernel answers an ERROR by retransmitting at once; each retry gets the ERROR again (§9, §11.1).
        mac.SendToTransfer(RawKdumpPeer.Data(3, new byte[1406]));
        var again = (await mac.ReceiveAsync())!.Value.Datagram;

        Assert.Equal(new byte[] { 0, 5, 0, 3, 0, 0 }, refusal[..6]);
        Assert.Equal(refusal, again);
        var journal = await relay.WaitForJournalAsync("core-big", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal(2812, journal.FileLength);
        Assert.Equal(2812, new FileInfo(relay.DumpPath("core-big")).Length);
    }

    [Fact]
    public async Task FullSpool_RefusesNewRequestsWithDiskFull()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        Directory.CreateDirectory(Path.Combine(dataDirectory, "dumps"));
        await File.WriteAllBytesAsync(Path.Combine(dataDirectory, "dumps", "core-old"), new byte[5000]);
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:SpoolQuotaBytes"] = "5000",
            ["Relay:MaxDumpBytes"] = "5000",
        }, dataDirectory: dataDirectory);
        using var mac = new RawKdumpPeer(relay.EndPoint);

        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-new"));

        Assert.Equal(new byte[] { 0, 5, 0, 3, 0, 0 }, (await mac.ReceiveAsync())!.Value.Datagram[..6]);
        Assert.False(File.Exists(relay.DumpPath("core-new")));
    }

    [Fact]
    public async Task SpoolFillingDuringTransfer_StopsItCleanly()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:SpoolQuotaBytes"] = "2000",
            ["Relay:MaxDumpBytes"] = "2000",
        });
        using var first = new RawKdumpPeer(relay.EndPoint);
        using var second = new RawKdumpPeer(relay.EndPoint, "127.0.0.5");
        await first.RequestAsync(RawKdumpPeer.ModernWrq("core-a"));
        await second.RequestAsync(RawKdumpPeer.ModernWrq("core-b"));
        await first.ExchangeAsync(RawKdumpPeer.Data(1, new byte[1406]), 1);
        await second.ExchangeAsync(RawKdumpPeer.Data(1, new byte[500]), 1);

        second.SendToTransfer(RawKdumpPeer.Data(2, new byte[1406]));
        Assert.Equal(3, (await second.ReceiveAsync())!.Value.Datagram[3]);

        var journal = await relay.WaitForJournalAsync("core-b", j => j.State != DumpState.Receiving);
        Assert.Contains("SpoolQuotaBytes", journal.Reason, StringComparison.Ordinal);
        Assert.Equal(500, journal.FileLength);
        await first.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
    }

    [Fact]
    public async Task RequestRefusedBeforeAnyByte_LeavesNoFileBehind()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:SpoolQuotaBytes"] = "1000",
            ["Relay:MaxDumpBytes"] = "1000",
        });
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-nothing"));

        mac.SendToTransfer(RawKdumpPeer.Data(1, new byte[1406]));
        Assert.Equal(3, (await mac.ReceiveAsync())!.Value.Datagram[3]);

        await Eventually.TrueAsync(() => !File.Exists(relay.DumpPath("core-nothing")) && !File.Exists(relay.Spool.JournalPath("core-nothing")));
        Assert.Equal(0, relay.Spool.UsedBytes);
        Assert.Equal(0, relay.Spool.Count);
    }

    [Fact]
    public async Task MaxConcurrentTransfers_RefusesTheOneTooMany()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:MaxConcurrentTransfers"] = "1",
        });
        using var first = new RawKdumpPeer(relay.EndPoint);
        using var second = new RawKdumpPeer(relay.EndPoint, "127.0.0.6");
        await first.RequestAsync(RawKdumpPeer.ModernWrq("core-one"));

        second.SendToRelay(RawKdumpPeer.ModernWrq("core-two"));

        // Busy means silence, so the kernel keeps re-sending its WRQ (~50 s) instead of giving up on 14 quick ERRORs.
        Assert.Null(await second.ReceiveAsync(500));
        Assert.False(File.Exists(relay.DumpPath("core-two")));

        // Once the first is done, the second Mac's next WRQ is served.
        await first.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);
        await first.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        Assert.Equal(4, (await second.RequestAsync(RawKdumpPeer.ModernWrq("core-two")))[1]);
    }
}
