using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>The kdumpd model itself, on hand-made datagrams (kdump-protocol.md §5, §7, §12).</summary>
public class KdumpdStoredBytesTests
{
    private static byte[] Data(uint block, params byte[] payload) => [0, 3, 0, 0, 0, (byte)block, .. payload];

    private static byte[] Seek32(uint block, uint offset) => [0, 6, 0, 0, 0, (byte)block, (byte)(offset >> 24), (byte)(offset >> 16), (byte)(offset >> 8), (byte)offset];

    private static readonly byte[] Eof = [0, 7, 0, 0, 0, 99];

    [Fact]
    public void Apply_SeekPastTheEnd_LeavesAHoleOfZeros()
    {
        var stored = KdumpdStoredBytes.Apply([Data(1, 1, 2), Seek32(2, 5), Data(3, 9), Eof], KdumpFeatures.None);

        Assert.Equal([1, 2, 0, 0, 0, 9], stored);
    }

    [Fact]
    public void Apply_SeekBack_Overwrites()
    {
        var stored = KdumpdStoredBytes.Apply([Data(1, 1, 2, 3), Seek32(2, 1), Data(3, 7), Eof], KdumpFeatures.None);

        Assert.Equal([1, 7, 3], stored);
    }

    [Fact]
    public void Apply_SeekWithNothingAfterIt_DoesNotExtendTheFile()
    {
        var stored = KdumpdStoredBytes.Apply([Data(1, 1), Seek32(2, 100), Eof], KdumpFeatures.None);

        Assert.Equal([1], stored);
    }

    [Theory]
    [InlineData(KdumpFeatures.None, 512)]
    [InlineData(KdumpFeatures.LargePackets, 1406)]
    public void Apply_LongDatagram_IsCutToTheNegotiatedReceiveSize(KdumpFeatures features, int kept)
    {
        var stored = KdumpdStoredBytes.Apply([Data(1, new byte[2000]), Eof], features);

        Assert.Equal(kept, stored.Length);
    }

    [Fact]
    public void Apply_UnexpectedBlocksAndAfterEof_AreIgnored()
    {
        var stored = KdumpdStoredBytes.Apply([Data(1, 1), Data(1, 2), Data(3, 3), Data(2, 4), Eof, Data(3, 5)], KdumpFeatures.None);

        Assert.Equal([1, 4], stored);
    }

    [Fact]
    public void Apply_Seek64_ReadsEightBytes()
    {
        byte[] seek64 = [0, 6, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3];

        var stored = KdumpdStoredBytes.Apply([Data(1, 1), seek64, Data(3, 8), Eof], KdumpFeatures.LargeCrashdumps);

        Assert.Equal([1, 0, 0, 8], stored);
    }
}
