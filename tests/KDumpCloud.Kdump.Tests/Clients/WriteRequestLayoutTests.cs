using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>Every generation's WRQ, as the client builds it, against the server's parser (kdump-protocol.md §4.1, §4.2).</summary>
public class WriteRequestLayoutTests
{
    private const string Name = "core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz";

    [Theory]
    [InlineData(KernelGeneration.Xnu517To1228, 12)]
    [InlineData(KernelGeneration.Xnu1456To1504, 25)]
    [InlineData(KernelGeneration.Xnu1699, 24)]
    [InlineData(KernelGeneration.Xnu2050To2782, 26)]
    [InlineData(KernelGeneration.Xnu3247To6153, 26)]
    [InlineData(KernelGeneration.Xnu7195Plus, 26)]
    public void WriteRequest_EachGeneration_HasTheKernelsLength(KernelGeneration generation, int overName)
    {
        var writer = new KdumpClientPacketWriter(generation);

        var wrq = writer.WriteRequest(Name);

        Assert.Equal(Name.Length + overName, wrq.Length);
    }

    [Theory]
    [InlineData(KernelGeneration.Xnu517To1228, false, 0u, null)]
    [InlineData(KernelGeneration.Xnu1456To1504, true, 1u, null)]
    [InlineData(KernelGeneration.Xnu1699, true, 3u, null)]
    [InlineData(KernelGeneration.Xnu2050To2782, true, 3u, 1406u)]
    [InlineData(KernelGeneration.Xnu3247To6153, true, 3u, 1406u)]
    [InlineData(KernelGeneration.Xnu7195Plus, true, 3u, 1406u)]
    public void WriteRequest_EachGeneration_ParsesToNameAndFeatures(KernelGeneration generation, bool hasFeatures, uint mask, uint? packetSize)
    {
        var writer = new KdumpClientPacketWriter(generation);

        var ok = WriteRequestParser.TryParse(writer.WriteRequest(Name).Span, out var request, out var error);

        Assert.True(ok, error.ToString());
        Assert.Equal(Name, request!.FileName);
        Assert.Equal("octet", request.Mode);
        Assert.Equal(hasFeatures, request.HasFeatures);
        Assert.Equal(mask, request.FeatureMask);
        Assert.Equal(packetSize, request.AdvertisedPacketSize);
    }

    [Fact]
    public void WriteRequest_Xnu1699_CutsTheLastTwoBytesOfPacketSize()
    {
        var wrq = new KdumpClientPacketWriter(KernelGeneration.Xnu1699).WriteRequest("n").Span;

        // 02 | n\0 | octet\0 | features\0 | 00 00 00 03 | 00 00 (05 7E cut)
        Assert.Equal([0x00, 0x00, 0x00, 0x03, 0x00, 0x00], wrq[^6..].ToArray());
    }

    [Fact]
    public void WriteRequest_OldKernels_EndInThreeStaleBytesAfterTheLastField()
    {
        var wrq = new KdumpClientPacketWriter(KernelGeneration.Xnu517To1228).WriteRequest("n").Span;

        Assert.Equal("\0\u0002n\0octet\0"u8.ToArray(), wrq[..^3].ToArray());
    }
}
