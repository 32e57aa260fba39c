using System.Text;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 7: a refusal tells the Mac only what it needs (never where the server keeps its files), and a
/// transfer that fails to start after its file was created gives the file back, so the Mac's retransmitted WRQ
/// (§9, §11.1) is served instead of being answered "File exists".
/// </summary>
public class TransferStartTests
{
    [Fact]
    public async Task EveryRefusal_KeepsTheDataDirectoryOutOfTheErrorText()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        Directory.CreateDirectory(Path.Combine(dataDirectory, "dumps"));
        await File.WriteAllBytesAsync(Path.Combine(dataDirectory, "dumps", "core-exists"), new byte[3000]);
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:SpoolQuotaBytes"] = "5000",
            ["Relay:MaxDumpBytes"] = "2000",
            ["Relay:WriteRequestsPerSecondPerSource"] = "1000",
        }, dataDirectory: dataDirectory);
        var errors = new Dictionary<string, byte[]>();

        async Task<byte[]> RefusedAsync(string what, byte[] wrq, string address = "127.0.0.71")
        {
            using var mac = new RawKdumpPeer(relay.EndPoint, address);
            mac.SendToRelay(wrq);
            var reply = (await mac.ReceiveAsync())?.Datagram ?? throw new TimeoutException($"no reply: {what}");
            Assert.True(KdumpDatagrams.IsError(reply), $"{what}: expected an ERROR, got {RawKdumpPeer.Describe(reply)}");
            errors[what] = reply;
            return reply;
        }

        // Names the relay never creates (§14).
        await RefusedAsync("parent", RawKdumpPeer.ModernWrq("../escape"));
        await RefusedAsync("slash", RawKdumpPeer.ModernWrq("dumps/core-x"));
        await RefusedAsync("dot", RawKdumpPeer.ModernWrq(".hidden"));
        await RefusedAsync("control", RawKdumpPeer.ModernWrq("core-\u0001"));
        await RefusedAsync("long", RawKdumpPeer.ModernWrq("core-" + new string('x', 240)));
        await RefusedAsync("mode", [0, 2, .. "core-mode\0netascii\0"u8.ToArray()]);
        await RefusedAsync("utf8", [0, 2, 0x63, 0xFF, 0xFE, 0, .. "octet\0"u8.ToArray()]);
        // A name taken, by a file or by a directory.
        await RefusedAsync("exists", RawKdumpPeer.ModernWrq("core-exists"));
        Directory.CreateDirectory(relay.DumpPath("core-dir"));
        await RefusedAsync("directory", RawKdumpPeer.ModernWrq("core-dir"));

        // Creating the file fails: dumps/ is not a directory any more (the old relay sent the OS's message, path
        // and all). Before the spool fills, so that the quota check does not refuse first.
        var moved = relay.Spool.DumpsDirectory + ".moved";
        Directory.Move(relay.Spool.DumpsDirectory, moved);
        await File.WriteAllTextAsync(relay.Spool.DumpsDirectory, "not a directory");
        try
        {
            await RefusedAsync("create fails", RawKdumpPeer.ModernWrq("core-nowhere"), "127.0.0.75");
        }
        finally
        {
            File.Delete(relay.Spool.DumpsDirectory);
            Directory.Move(moved, relay.Spool.DumpsDirectory);
        }

        // Past MaxDumpBytes mid-transfer.
        using (var big = new RawKdumpPeer(relay.EndPoint, "127.0.0.72"))
        {
            await big.RequestAsync(RawKdumpPeer.ModernWrq("core-big"));
            await big.ExchangeAsync(RawKdumpPeer.Data(1, new byte[1406]), 1);
            big.SendToTransfer(RawKdumpPeer.Data(2, new byte[1406]));
            errors["past MaxDumpBytes"] = (await big.ReceiveAsync())!.Value.Datagram;
            await relay.WaitForJournalAsync("core-big", j => j.State != DumpState.Receiving);
        }

        // The spool full: 3000 + 1406 + 594 of 5000.
        using (var filler = new RawKdumpPeer(relay.EndPoint, "127.0.0.73"))
        {
            await filler.SendAllAsync("core-fill", new byte[594]);
        }

        Assert.Equal(5000, relay.Spool.UsedBytes);
        await RefusedAsync("spool full", RawKdumpPeer.ModernWrq("core-late"), "127.0.0.74");

        Assert.All(errors, error =>
        {
            var text = KdumpDatagrams.ErrorText(error.Value);
            Assert.True(KdumpDatagrams.IsError(error.Value), error.Key);
            Assert.DoesNotContain(relay.DataDirectory, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), text, StringComparison.Ordinal);
            Assert.DoesNotContain("dumps/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Relay:", text, StringComparison.Ordinal);
        });
        Assert.Equal("File exists", KdumpDatagrams.ErrorText(errors["exists"]));
    }

    [Fact]
    public async Task TransferThatFailsToStart_GivesTheFileBackForTheRetransmittedRequest()
    {
        var clock = new FaultyTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        clock.FailNextTransferTimers(1);

        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-unlucky"));
        var refusal = (await mac.ReceiveAsync())?.Datagram ?? throw new TimeoutException("no reply to the WRQ");

        Assert.True(KdumpDatagrams.IsError(refusal), RawKdumpPeer.Describe(refusal));
        Assert.DoesNotContain(relay.DataDirectory, KdumpDatagrams.ErrorText(refusal), StringComparison.Ordinal);
        Assert.False(File.Exists(relay.DumpPath("core-unlucky")), "an empty file was left behind");
        Assert.Equal(0, relay.Spool.Count);

        // The kernel retransmits its WRQ after an ERROR (§9, §11.1): this time it is served.
        var ack0 = await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-unlucky"));
        Assert.Equal(4, ack0[1]);
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, Encoding.ASCII.GetBytes("panic")), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        var journal = await relay.WaitForJournalAsync("core-unlucky", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Complete, journal.State);
        Assert.Equal("panic", await File.ReadAllTextAsync(relay.DumpPath("core-unlucky")));
    }
}
