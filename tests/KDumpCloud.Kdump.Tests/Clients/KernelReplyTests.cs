using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>The kernel's reading of replies (kdump-protocol.md §4.3, §9, §11.1).</summary>
public class KernelReplyTests
{
    private static readonly KernelProfile Modern = KernelProfile.For(KernelGeneration.Xnu7195Plus);
    private static readonly KernelProfile Oldest = KernelProfile.For(KernelGeneration.Xnu517To1228);

    [Fact]
    public void Interpret_Ack0WithFeatureByte_IsAcknowledgedWithFeatures()
    {
        var kind = KernelReply.Interpret(Modern, true, 0, [0x03, 0x04, 0, 0, 0, 0], out var features);

        Assert.Equal(KernelReplyKind.Acknowledged, kind);
        Assert.Equal(KdumpFeatures.Known, features);
    }

    [Fact]
    public void Interpret_FeatureByteOnALaterAck_IsNotAnAck()
    {
        var kind = KernelReply.Interpret(Modern, false, 5, [0x03, 0x04, 0, 0, 0, 5], out _);

        Assert.Equal(KernelReplyKind.Other, kind);
    }

    [Fact]
    public void Interpret_Ack0WithFeaturesOnAnOldKernel_FallsThroughAsAnAckWithoutFeatures()
    {
        var kind = KernelReply.Interpret(Oldest, true, 0, [0x03, 0x04, 0, 0, 0, 0], out var features);

        Assert.Equal(KernelReplyKind.Other, kind);
        Assert.Equal(KdumpFeatures.None, features);
    }

    [Theory]
    [InlineData(new byte[] { 0, 4, 0, 0, 0, 7 }, KernelReplyKind.Acknowledged)]
    [InlineData(new byte[] { 0, 4, 0, 0, 0, 6 }, KernelReplyKind.PreviousBlock)]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 6 }, KernelReplyKind.PreviousBlock)]
    [InlineData(new byte[] { 0, 5, 0, 2, 0, 0, (byte)'A' }, KernelReplyKind.Error)]
    [InlineData(new byte[] { 0, 4, 0, 0, 0, 5 }, KernelReplyKind.Other)]
    public void Interpret_DataPhase_FollowsTheKernelsChecks(byte[] reply, KernelReplyKind expected)
    {
        Assert.Equal(expected, KernelReply.Interpret(Modern, false, 7, reply, out _));
    }

    [Fact]
    public void ErrorText_KdumpdLayout_ReadsToTheEnd()
    {
        byte[] error = [0, 5, 0, 2, 0, 0, .. "Access violatio"u8];

        Assert.Equal("Access violatio", KernelReply.ErrorText(error));
        Assert.Equal(2, KernelReply.ErrorCode(error));
    }

    [Fact]
    public void SpinBeforeRetransmit_CyclesThroughFourSteps()
    {
        var spins = Enumerable.Range(1, 5).Select(KernelTimeouts.Kernel.SpinBeforeRetransmit).Select(t => t.TotalMilliseconds);

        Assert.Equal([100.0, 200, 300, 0, 100], spins);
    }

    [Fact]
    public void Fast_DividesEveryBudgetBy50()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(210), KernelTimeouts.Fast.WriteRequestWait);
        Assert.Equal(TimeSpan.FromMilliseconds(150), KernelTimeouts.Fast.PacketWait);
        Assert.Equal(TimeSpan.FromMilliseconds(60), KernelTimeouts.Fast.RetryWait);
    }
}
