using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>10.11+ cores: one stream of DATA, no SEEK (kdump-protocol.md §5, §7, §8.4).</summary>
public class SequentialCorePlanTests
{
    [Theory]
    [InlineData(KernelGeneration.Xnu3247To6153, KdumpFeatures.Known, 1406)]
    [InlineData(KernelGeneration.Xnu3247To6153, KdumpFeatures.None, 512)]
    [InlineData(KernelGeneration.Xnu7195Plus, KdumpFeatures.Known, 1406)]
    public void Create_ModernCore_SendsFullChunksInOrderWithoutSeek(KernelGeneration generation, KdumpFeatures features, int chunk)
    {
        var content = ClientTestData.RandomContent(10 * chunk + 7, seed: 4);

        var plan = DumpPlan.Create(content, DumpKind.Core, generation, features, "core-x.gz");

        Assert.DoesNotContain(plan.Operations, o => o.Kind == DumpOperationKind.Seek);
        var data = plan.Operations.Where(o => o.Kind == DumpOperationKind.Data).ToArray();
        Assert.Equal(11, data.Length);
        Assert.All(data[..^1], o => Assert.Equal(chunk, o.Length));
        Assert.Equal(7, data[^1].Length);
        Assert.Equal(content, KdumpdStoredBytes.Compute(plan));
    }

    [Fact]
    public void Create_Xnu7195WithoutLargePackets_SplitsEach1406BufferInto512And512And382()
    {
        var content = ClientTestData.RandomContent(3 * 1406 + 600, seed: 5);

        var plan = DumpPlan.Create(content, DumpKind.Core, KernelGeneration.Xnu7195Plus, KdumpFeatures.LargeCrashdumps, "core-x.gz");

        var sizes = plan.Operations.Where(o => o.Kind == DumpOperationKind.Data).Select(o => o.Length);
        Assert.Equal([512, 512, 382, 512, 512, 382, 512, 512, 382, 512, 88], sizes);
        Assert.Equal(content, KdumpdStoredBytes.Compute(plan));
    }

    [Fact]
    public void Create_EmptyContent_IsJustEof()
    {
        var plan = DumpPlan.Create(Array.Empty<byte>(), DumpKind.Core, KernelGeneration.Xnu7195Plus, KdumpFeatures.Known, "c");

        Assert.Equal([DumpOperation.Eof(0)], plan.Operations);
        Assert.Empty(KdumpdStoredBytes.Compute(plan));
    }

    [Theory]
    [InlineData(KernelGeneration.Xnu517To1228, KdumpFeatures.None)]
    [InlineData(KernelGeneration.Xnu1456To1504, KdumpFeatures.LargeCrashdumps)]
    [InlineData(KernelGeneration.Xnu1699, KdumpFeatures.Known)]
    public void Create_FeaturesTheKernelDidNotAskFor_AreNotUsed(KernelGeneration generation, KdumpFeatures expected)
    {
        var plan = DumpPlan.Create(new byte[10], DumpKind.Core, generation, KdumpFeatures.Known, "c");

        Assert.Equal(expected, plan.Features);
    }
}
