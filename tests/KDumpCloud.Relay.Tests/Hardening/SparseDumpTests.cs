using System.Security.Cryptography;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 6: SEEK holes (§7). Before the fix three datagrams (SEEK near <c>MaxDumpBytes</c>, one byte, EOF)
/// made a file of that length, counted in full against the spool quota while taking 4 KB of disk, and cost seconds of
/// hashing. Holes are now bounded by <c>Relay:MaxHoleBytes</c>, and the quota counts what is really stored.
/// </summary>
public class SparseDumpTests
{
    [Fact]
    public async Task SeekFarPastTheEnd_IsStoppedWithDiskFullAndCostsNoQuota()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:MaxHoleBytes"] = "65536",
        });
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-hole"));

        // 32 GiB: well inside the default MaxDumpBytes (64 GiB), far past MaxHoleBytes.
        mac.SendToTransfer(KdumpDatagrams.Seek64(1, 32UL << 30));
        var refusal = (await mac.ReceiveAsync())!.Value.Datagram;
        Assert.True(KdumpDatagrams.IsError(refusal), $"the SEEK was answered with {RawKdumpPeer.Describe(refusal)}");
        Assert.Equal(3, KdumpDatagrams.ErrorCode(refusal));

        // The rest of the attack gets the same ERROR (§9), and nothing is stored.
        mac.SendToTransfer(RawKdumpPeer.Data(2, [1]));
        Assert.Equal(refusal, (await mac.ReceiveAsync())!.Value.Datagram);
        mac.SendToTransfer(RawKdumpPeer.Eof(3));
        Assert.Equal(refusal, (await mac.ReceiveAsync())!.Value.Datagram);
        await Eventually.TrueAsync(() => !File.Exists(relay.DumpPath("core-hole")), what: "the empty dump discarded");
        Assert.Equal(0, relay.Spool.UsedBytes);
    }

    [Fact]
    public async Task HolesWithinTheLimit_CountAllocatedBytesNotLength()
    {
        const long hole = 1L << 20;
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:MaxHoleBytes"] = hole.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Room for one such file by length, not two: the old relay charged the length and refused the second.
            ["Relay:SpoolQuotaBytes"] = (hole * 3 / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Relay:MaxDumpBytes"] = (hole * 3 / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        for (var i = 0; i < 2; i++)
        {
            using var mac = new RawKdumpPeer(relay.EndPoint, $"127.0.0.{61 + i}");
            await mac.RequestAsync(RawKdumpPeer.ModernWrq($"core-sparse-{i}"));
            await mac.ExchangeAsync(KdumpDatagrams.Seek64(1, (ulong)hole), 1);
            await mac.ExchangeAsync(RawKdumpPeer.Data(2, [7]), 2);
            await mac.ExchangeAsync(RawKdumpPeer.Eof(3), 3);
            var journal = await relay.WaitForJournalAsync($"core-sparse-{i}", j => j is { State: DumpState.Complete, Sha256: not null });
            Assert.Equal(hole + 1, journal.FileLength);
            Assert.Equal(hole + 1, new FileInfo(relay.DumpPath($"core-sparse-{i}")).Length);
        }

        // What the two files occupy: a block or so each, not 2 MiB.
        Assert.InRange(relay.Spool.UsedBytes, 2, 128 * 1024);
    }

    [Theory]
    [InlineData(KernelGeneration.Xnu1456To1504)]
    [InlineData(KernelGeneration.Xnu2050To2782)]
    public async Task MachOSeekPattern_WithinTheHoleLimit_IsStoredByteIdentically(KernelGeneration generation)
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            // The pattern skips the header's page padding (§7): a few KiB.
            ["Relay:MaxHoleBytes"] = "16384",
        });
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var client = new KdumpClientPacketWriter(generation);
        var name = $"core-macho-{generation}";
        var ack0 = await mac.RequestAsync(client.WriteRequest(name).ToArray());
        Assert.Equal(4, ack0[1]);
        var plan = DumpPlan.Create(TestContent.Random(300_000, 62), DumpKind.Core, generation, (KdumpFeatures)ack0[0], name);
        Assert.True(plan.ReproducesContent);
        Assert.Contains(plan.Operations, operation => operation.Kind == DumpOperationKind.Seek && operation.Offset > 0);

        for (var i = 0; i < plan.Operations.Count; i++)
        {
            await mac.ExchangeAsync(client.Operation(plan, i).ToArray(), (uint)(i + 1));
        }

        var stored = await File.ReadAllBytesAsync(relay.DumpPath(name));
        Assert.Equal(plan.Content.ToArray(), stored);
        var journal = await relay.WaitForJournalAsync(name, j => j is { State: DumpState.Complete, Sha256: not null });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), journal.Sha256);
        Assert.Equal(stored.Length, relay.Spool.UsedBytes);
    }
}
