using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Packets;

public class KdumpPacketWriterTests
{
    [Theory]
    [InlineData(KdumpFeatures.Known, new byte[] { 0x03, 0x04, 0, 0, 0, 0 })]
    [InlineData(KdumpFeatures.LargeCrashdumps, new byte[] { 0x01, 0x04, 0, 0, 0, 0 })]
    [InlineData(KdumpFeatures.None, new byte[] { 0x00, 0x04, 0, 0, 0, 0 })]
    public void WriteAck_BlockZero_CarriesFeatureByteAsKdumpdDoes(KdumpFeatures features, byte[] expected)
    {
        var buffer = new byte[6];
        Assert.Equal(6, KdumpPacketWriter.WriteAck(buffer, 0, features));
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void WriteAck_LargeBlock_IsBigEndian32Bit()
    {
        var buffer = new byte[6];
        KdumpPacketWriter.WriteAck(buffer, 0x01020304);
        Assert.Equal(new byte[] { 0, 4, 1, 2, 3, 4 }, buffer);
    }

    [Fact]
    public void WriteError_AccessViolation_LaysOutCodeAsKdumpdOnLittleEndian()
    {
        var buffer = new byte[64];
        var length = KdumpPacketWriter.WriteError(buffer, KdumpErrorCode.AccessViolation, "Access violation");
        Assert.Equal(new byte[] { 0, 5, 0, 2, 0, 0 }, buffer[..6]);
        Assert.Equal("Access violation\0"u8.ToArray(), buffer[6..length]);
    }

    [Fact]
    public void WriteError_MessageLongerThanBuffer_IsCutAndStillTerminated()
    {
        var buffer = new byte[16];
        var length = KdumpPacketWriter.WriteError(buffer, KdumpErrorCode.Undefined, new string('x', 100));
        Assert.Equal(16, length);
        Assert.Equal(0, buffer[15]);
    }

    [Theory]
    [InlineData(KdumpFeatures.None, new byte[] { 0, 6, 0, 0, 0, 1, 0, 0, 0x10, 0, 0xEE }, 0x1000ul)]
    [InlineData(KdumpFeatures.LargeCrashdumps, new byte[] { 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0x10, 0 }, 0x1_0000_1000ul)]
    public void TryReadSeekOffset_ReadsWidthFromFeatures(KdumpFeatures features, byte[] datagram, ulong expected)
    {
        Assert.True(KdumpPacketReader.TryReadSeekOffset(datagram, features, out var offset));
        Assert.Equal(expected, offset);
    }

    [Fact]
    public void TryReadSeekOffset_TooShort_ReturnsFalse()
    {
        Assert.False(KdumpPacketReader.TryReadSeekOffset(new byte[] { 0, 6, 0, 0, 0, 1, 0, 0 }, KdumpFeatures.None, out _));
        Assert.False(KdumpPacketReader.TryReadSeekOffset(new byte[] { 0, 6 }, KdumpFeatures.LargeCrashdumps, out _));
    }
}
