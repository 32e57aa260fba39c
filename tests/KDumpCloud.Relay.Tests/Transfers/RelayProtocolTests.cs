using System.Security.Cryptography;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Transfers;

/// <summary>The relay over real UDP on 127.0.0.1, driven byte by byte.</summary>
public class RelayProtocolTests
{
    [Fact]
    public async Task ModernTransfer_StoresExactBytesAndJournalsThemComplete()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(100_000, 1);

        await mac.SendAllAsync("core-xnu-11417.121.6-127.0.0.1-1a2b.gz", content);

        Assert.NotEqual(relay.EndPoint.Port, mac.TransferEndPoint!.Port);
        Assert.Equal(content, await File.ReadAllBytesAsync(relay.DumpPath("core-xnu-11417.121.6-127.0.0.1-1a2b.gz")));
        var journal = await relay.WaitForJournalAsync("core-xnu-11417.121.6-127.0.0.1-1a2b.gz", j => j is { State: DumpState.Complete, Sha256: not null });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), journal.Sha256);
        Assert.Equal(content.Length, journal.FileLength);
        Assert.Equal(mac.LocalEndPoint.ToString(), journal.Client);
        Assert.Equal(3, journal.Features);
        Assert.Equal(72, journal.DataPackets);
    }

    [Fact]
    public async Task Ack0_CarriesFeatureByteOnlyWhenTheRequestHadFeatures()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var modern = new RawKdumpPeer(relay.EndPoint);
        using var legacy = new RawKdumpPeer(relay.EndPoint);

        Assert.Equal(new byte[] { 3, 4, 0, 0, 0, 0 }, await modern.RequestAsync(RawKdumpPeer.ModernWrq("core-modern")));
        Assert.Equal(new byte[] { 0, 4, 0, 0, 0, 0 }, await legacy.RequestAsync(RawKdumpPeer.LegacyWrq("core-legacy")));
    }

    [Fact]
    public async Task LegacyTransfer_CutsEachDatagramToFiveHundredTwelveBytesAsKdumpd()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.LegacyWrq("core-legacy"));
        var oversized = TestContent.Random(600, 2);

        await mac.ExchangeAsync(RawKdumpPeer.Data(1, oversized), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Seek32(2, 4096), 2);
        await mac.ExchangeAsync(RawKdumpPeer.Data(3, oversized.AsSpan(0, 10)), 3);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(4), 4);

        var stored = await File.ReadAllBytesAsync(relay.DumpPath("core-legacy"));
        Assert.Equal(4106, stored.Length);
        Assert.Equal(oversized[..512], stored[..512]);
        Assert.All(stored[512..4096], b => Assert.Equal(0, b));
        Assert.Equal(oversized[..10], stored[4096..]);
        var journal = await relay.WaitForJournalAsync("core-legacy", j => j is { State: DumpState.Complete, Sha256: not null });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), journal.Sha256);
    }

    [Fact]
    public async Task RetransmittedWrqBeforeData_GetsAck0AgainNotFileExists()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var ack0 = await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-retry"));
        var firstPort = mac.TransferEndPoint!.Port;

        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-retry"));
        var again = await mac.ReceiveAsync();

        Assert.Equal(ack0, again!.Value.Datagram);
        Assert.Equal(firstPort, again.Value.From.Port);
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(relay.DumpPath("core-retry")));
    }

    [Fact]
    public async Task LateWrqCopyAfterData_IsDroppedAndTheTransferGoesOn()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-late-wrq"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);

        // Any reply would count as an ACK to the kernel (§11.1); ending the transfer would lose it.
        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-late-wrq"));
        Assert.Null(await mac.ReceiveAsync(300));

        await mac.ExchangeAsync(RawKdumpPeer.Data(2, [2]), 2);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(3), 3);
        Assert.Equal(new byte[] { 1, 2 }, await File.ReadAllBytesAsync(relay.DumpPath("core-late-wrq")));
        Assert.Equal(DumpState.Complete, (await relay.WaitForJournalAsync("core-late-wrq", j => j.State != DumpState.Receiving)).State);
    }

    [Fact]
    public async Task RetransmittedEof_GetsTheFinalAckAgain()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-eof"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [9]), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);

        // The final ACK was "lost": the kernel sends EOF again (kdumpd never answers, §8.2).
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);

        var journal = await relay.WaitForJournalAsync("core-eof", j => j.State == DumpState.Complete);
        Assert.Equal(1, journal.FileLength);
    }

    [Fact]
    public async Task DuplicateData_IsReAckedAndWrittenOnce()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-dup"));

        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 1]), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 1]), 1);
        // A duplicate and the next block back to back: both are answered (kdumpd's synchnet would drop the second).
        mac.SendToTransfer(RawKdumpPeer.Data(1, [1, 1]));
        mac.SendToTransfer(RawKdumpPeer.Data(2, [2, 2]));
        Assert.Equal(RawKdumpPeer.Ack(1), (await mac.ReceiveAsync())!.Value.Datagram);
        Assert.Equal(RawKdumpPeer.Ack(2), (await mac.ReceiveAsync())!.Value.Datagram);
        // Far-off blocks get no reply at all.
        mac.SendToTransfer(RawKdumpPeer.Data(7, [7]));
        Assert.Null(await mac.ReceiveAsync(300));
        await mac.ExchangeAsync(RawKdumpPeer.Eof(3), 3);

        Assert.Equal(new byte[] { 1, 1, 2, 2 }, await File.ReadAllBytesAsync(relay.DumpPath("core-dup")));
        var journal = await relay.WaitForJournalAsync("core-dup", j => j.State == DumpState.Complete);
        Assert.Equal(2, journal.Duplicates);
    }

    [Fact]
    public async Task ExistingName_IsRefusedAndTheExistingDumpIsUntouched()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        await File.WriteAllTextAsync(relay.DumpPath("core-taken"), "earlier dump");
        using var mac = new RawKdumpPeer(relay.EndPoint);

        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-taken"));
        var reply = (await mac.ReceiveAsync())!.Value;

        Assert.Equal(new byte[] { 0, 5, 0, 0, 0, 0 }, reply.Datagram[..6]);
        Assert.Equal(relay.EndPoint.Port, reply.From.Port);
        Assert.Equal("earlier dump", await File.ReadAllTextAsync(relay.DumpPath("core-taken")));
    }

    [Fact]
    public async Task SupersedingRequestFromTheSameMac_EndsTheOldDumpIncomplete()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-first"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);

        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-second"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [2]), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);

        var first = await relay.WaitForJournalAsync("core-first", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Incomplete, first.State);
        Assert.Contains("new dump", first.Reason, StringComparison.Ordinal);
        Assert.Equal(DumpState.Complete, (await relay.WaitForJournalAsync("core-second", j => j.State != DumpState.Receiving)).State);
    }

    [Fact]
    public async Task ErrorFromTheMac_KeepsWhatArrivedAsIncomplete()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-aborted"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);

        mac.SendToTransfer([0, 5, 0, 0, 0, 0, .. "gave up\0"u8.ToArray()]);

        var journal = await relay.WaitForJournalAsync("core-aborted", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal(3, journal.FileLength);
    }

    [Fact]
    public async Task ManyMacsAtOnce_EachGetsItsOwnPortAndBytes()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var macs = Enumerable.Range(0, 8).Select(i => (Peer: new RawKdumpPeer(relay.EndPoint, $"127.0.0.{i + 2}"), Content: TestContent.Random(30_000 + i, 100 + i))).ToArray();
        try
        {
            await Task.WhenAll(macs.Select((mac, i) => mac.Peer.SendAllAsync($"core-mac{i}", mac.Content)));

            Assert.Equal(macs.Length, macs.Select(m => m.Peer.TransferEndPoint!.Port).Distinct().Count());
            for (var i = 0; i < macs.Length; i++)
            {
                Assert.Equal(macs[i].Content, await File.ReadAllBytesAsync(relay.DumpPath($"core-mac{i}")));
            }
        }
        finally
        {
            foreach (var mac in macs)
            {
                mac.Peer.Dispose();
            }
        }
    }
}
