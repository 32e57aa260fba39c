using System.Buffers.Binary;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

public class KdumpClientPacketWriterTests
{
    [Fact]
    public void Data_ModernKernel_IsHeaderPayloadThenYFill()
    {
        var writer = new KdumpClientPacketWriter(KernelGeneration.Xnu7195Plus);

        var datagram = writer.Data(7, "abc"u8, extraBytes: 4).ToArray();

        Assert.Equal([0, 3, 0, 0, 0, 7, (byte)'a', (byte)'b', (byte)'c', (byte)'Y', (byte)'Y', (byte)'Y', (byte)'Y'], datagram);
    }

    [Fact]
    public void Data_Xnu1504_FillsWithX()
    {
        var writer = new KdumpClientPacketWriter(KernelGeneration.Xnu1456To1504);

        var datagram = writer.Data(1, "a"u8, extraBytes: 2).ToArray();

        Assert.Equal("XX"u8.ToArray(), datagram[^2..]);
    }

    [Fact]
    public void Data_OldestKernel_ExtraBytesAreWhatTheBufferHeldBefore()
    {
        var writer = new KdumpClientPacketWriter(KernelGeneration.Xnu517To1228);
        writer.Data(1, "0123456789"u8, 0);

        var datagram = writer.Data(2, "ab"u8, extraBytes: 3).ToArray();

        // Buffer offsets 8..10 still hold "234" from the previous payload.
        Assert.Equal("ab234"u8.ToArray(), datagram[6..]);
    }

    [Theory]
    [InlineData(KdumpFeatures.None, 10)]
    [InlineData(KdumpFeatures.LargeCrashdumps, 14)]
    public void Seek_ModernKernel_OffsetWidthFollowsFeatures(KdumpFeatures features, int length)
    {
        var writer = new KdumpClientPacketWriter(KernelGeneration.Xnu2050To2782);

        var datagram = writer.Seek(3, 0x1_0000_1000, features).Span;

        Assert.Equal(length, datagram.Length);
        Assert.True(KdumpPacketReader.TryReadSeekOffset(datagram, features, out var offset));
        Assert.Equal(features == KdumpFeatures.None ? 0x1000ul : 0x1_0000_1000ul, offset);
    }

    [Fact]
    public void Seek_SevenByteCorehdr_CarriesOneExtraByte()
    {
        var writer = new KdumpClientPacketWriter(KernelGeneration.Xnu1456To1504);

        var datagram = writer.Seek(3, 4096, KdumpFeatures.LargeCrashdumps).Span;

        Assert.Equal(6 + 8 + 1, datagram.Length);
        Assert.Equal(4096ul, BinaryPrimitives.ReadUInt64BigEndian(datagram[6..]));
    }

    [Theory]
    [InlineData(KernelGeneration.Xnu517To1228, 7)]
    [InlineData(KernelGeneration.Xnu7195Plus, 6)]
    public void Eof_LengthIsTheCorehdrSize(KernelGeneration generation, int length)
    {
        var datagram = new KdumpClientPacketWriter(generation).Eof(9).Span;

        Assert.Equal(length, datagram.Length);
        Assert.True(KdumpPacketReader.TryReadHeader(datagram, out var opcode, out var block));
        Assert.Equal((ushort)KdumpOpcode.Eof, opcode);
        Assert.Equal(9u, block);
    }
}
