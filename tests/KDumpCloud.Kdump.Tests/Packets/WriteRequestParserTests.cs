using System.Buffers.Binary;
using System.Text;
using FsCheck.Xunit;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Packets;

public class WriteRequestParserTests
{
    private const string Name = "core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz";

    // The layouts of kdump-protocol.md §4.1, built byte by byte here rather than with the client code.
    private static byte[] Wrq(string name, string mode, byte[] tail)
    {
        var bytes = new List<byte> { 0, 2 };
        bytes.AddRange(Encoding.ASCII.GetBytes(name));
        bytes.Add(0);
        bytes.AddRange(Encoding.ASCII.GetBytes(mode));
        bytes.Add(0);
        bytes.AddRange(tail);
        return [.. bytes];
    }

    private static byte[] Features(uint mask, params byte[] after)
    {
        var field = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(field, mask);
        return [.. "features\0"u8.ToArray(), .. field, .. after];
    }

    [Fact]
    public void TryParse_Xnu1228WithStaleBytes_HasNoFeatures()
    {
        var datagram = Wrq(Name, "octet", [0xAA, 0xBB, 0xCC]);
        Assert.Equal(Name.Length + 12, datagram.Length);

        Assert.True(WriteRequestParser.TryParse(datagram, out var request, out _));
        Assert.Equal(Name, request!.FileName);
        Assert.False(request.HasFeatures);
        Assert.Equal(KdumpFeatures.None, request.AcceptedFeatures);
    }

    [Fact]
    public void TryParse_Xnu1504MaskOneWithStaleBytes_AcceptsLargeCrashdumpsOnly()
    {
        var datagram = Wrq(Name, "octet", Features(1, 0xAA, 0xBB, 0xCC));
        Assert.Equal(Name.Length + 25, datagram.Length);

        Assert.True(WriteRequestParser.TryParse(datagram, out var request, out _));
        Assert.Equal(KdumpFeatures.LargeCrashdumps, request!.AcceptedFeatures);
        Assert.Null(request.AdvertisedPacketSize);
    }

    [Fact]
    public void TryParse_Xnu1699WithPacketSizeCutShort_AcceptsBothFeatures()
    {
        var datagram = Wrq(Name, "octet", Features(3, 0x00, 0x00));
        Assert.Equal(Name.Length + 24, datagram.Length);

        Assert.True(WriteRequestParser.TryParse(datagram, out var request, out _));
        Assert.Equal(KdumpFeatures.Known, request!.AcceptedFeatures);
        Assert.Null(request.AdvertisedPacketSize);
    }

    [Fact]
    public void TryParse_ModernLayout_ReadsMaskAndPacketSize()
    {
        var datagram = Wrq(Name, "octet", Features(3, 0x00, 0x00, 0x05, 0x7E));
        Assert.Equal(Name.Length + 26, datagram.Length);

        Assert.True(WriteRequestParser.TryParse(datagram, out var request, out _));
        Assert.Equal(KdumpFeatures.Known, request!.AcceptedFeatures);
        Assert.Equal(1406u, request.AdvertisedPacketSize);
    }

    [Fact]
    public void TryParse_UnknownMaskBits_AreNotAccepted()
    {
        Assert.True(WriteRequestParser.TryParse(Wrq(Name, "octet", Features(0xFFFF_FFF6)), out var request, out _));
        Assert.Equal(0xFFFF_FFF6u, request!.FeatureMask);
        Assert.Equal(KdumpFeatures.LargePackets, request.AcceptedFeatures);
    }

    [Fact]
    public void TryParse_MaskCutShort_ReadsMissingBytesAsZero()
    {
        // kdumpd reads past the datagram into its zero-filled buffer (§4.2).
        var datagram = Wrq(Name, "octet", [.. "features\0"u8.ToArray(), 0, 0, 0]);
        Assert.True(WriteRequestParser.TryParse(datagram, out var request, out _));
        Assert.True(request!.HasFeatures);
        Assert.Equal(KdumpFeatures.None, request.AcceptedFeatures);
    }

    [Fact]
    public void TryParse_ModeInUpperCaseWithoutFinalNul_IsAccepted()
    {
        var datagram = Encoding.ASCII.GetBytes("\0\u0002name\0OCTET");
        Assert.True(WriteRequestParser.TryParse(datagram, out var request, out _));
        Assert.Equal("name", request!.FileName);
    }

    [Theory]
    [InlineData("netascii")]
    [InlineData("mail")]
    [InlineData("")]
    public void TryParse_OtherModes_AreRefusedAsBadOperation(string mode)
    {
        Assert.False(WriteRequestParser.TryParse(Wrq(Name, mode, []), out _, out var error));
        Assert.Equal(WriteRequestError.UnsupportedMode, error);
    }

    [Fact]
    public void TryParse_NameWithoutNul_IsRefused()
    {
        Assert.False(WriteRequestParser.TryParse(Encoding.ASCII.GetBytes("\0\u0002core-without-end"), out _, out var error));
        Assert.Equal(WriteRequestError.UnterminatedFileName, error);
    }

    [Fact]
    public void TryParse_InvalidUtf8Name_IsRefused()
    {
        byte[] datagram = [0, 2, 0xC3, 0x28, 0, .. "octet\0"u8.ToArray()];
        Assert.False(WriteRequestParser.TryParse(datagram, out _, out var error));
        Assert.Equal(WriteRequestError.InvalidFileNameEncoding, error);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 1, 2, 0, 0 })]
    public void TryParse_NotAWriteRequest_IsRefusedSilently(byte[] datagram)
    {
        Assert.False(WriteRequestParser.TryParse(datagram, out _, out var error));
        Assert.Equal(WriteRequestError.NotWriteRequest, error);
    }

    [Property(MaxTest = 2000)]
    public bool TryParse_AnyBytes_NeverThrows(byte[] datagram)
    {
        var ok = WriteRequestParser.TryParse(datagram, out var request, out var error);
        return ok == (request is not null) && ok == (error == WriteRequestError.None);
    }

    [Property(MaxTest = 500)]
    public bool TryParse_AnyWrqPrefixedBytes_NeverThrows(byte[] tail)
    {
        byte[] datagram = [0, 2, .. tail];
        WriteRequestParser.TryParse(datagram, out _, out _);
        return true;
    }
}
