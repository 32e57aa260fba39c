using System.Text;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>paniclog and systemlog dumps and the trailing-bytes quirk (kdump-protocol.md §7, §8.3).</summary>
public class NamedDumpPlanTests
{
    private const string Name = ClientTestData.PanicLogName;

    [Theory]
    [InlineData(KernelGeneration.Xnu7195Plus, KdumpFeatures.Known, 44, 'Y')]
    [InlineData(KernelGeneration.Xnu7195Plus, KdumpFeatures.None, 44, 'Y')]
    [InlineData(KernelGeneration.Xnu2050To2782, KdumpFeatures.Known, 44, 'Y')]
    [InlineData(KernelGeneration.Xnu1699, KdumpFeatures.Known, 43, 'Y')]
    [InlineData(KernelGeneration.Xnu1456To1504, KdumpFeatures.LargeCrashdumps, 44, 'X')]
    public void Create_PanicLog_KdumpdStoresContentThenTheFillRun(KernelGeneration generation, KdumpFeatures features, int fillLength, char fill)
    {
        Assert.Equal(43, Name.Length);
        var content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("panic(cpu 0 caller 0xffffff80): ", 200)));

        var plan = DumpPlan.Create(content, DumpKind.PanicLog, generation, features, Name);
        var stored = KdumpdStoredBytes.Compute(plan);

        Assert.Equal(content, stored[..content.Length]);
        Assert.Equal(new string(fill, fillLength), Encoding.ASCII.GetString(stored[content.Length..]));
    }

    [Fact]
    public void Create_PanicLogWhoseLastChunkIsNearlyFull_KeepsOnlyTheFillThatFitsTheReceiveCap()
    {
        var content = ClientTestData.RandomContent(2 * 1406 - 10, seed: 6);

        var stored = KdumpdStoredBytes.Compute(DumpPlan.Create(content, DumpKind.PanicLog, KernelGeneration.Xnu7195Plus, KdumpFeatures.Known, Name));

        Assert.Equal(content.Length + 10, stored.Length);
        Assert.Equal("YYYYYYYYYY"u8.ToArray(), stored[content.Length..]);
    }

    [Fact]
    public void Create_PanicLogOfWholePackets_LeavesNoFill()
    {
        var content = ClientTestData.RandomContent(3 * 512, seed: 7);

        var stored = KdumpdStoredBytes.Compute(DumpPlan.Create(content, DumpKind.PanicLog, KernelGeneration.Xnu2050To2782, KdumpFeatures.None, Name));

        Assert.Equal(content, stored);
    }

    [Fact]
    public void Create_PanicLogOnXnu1228_OnlyTheLastPacketCarriesTheName()
    {
        var content = ClientTestData.RandomContent(1300, seed: 8);

        var plan = DumpPlan.Create(content, DumpKind.PanicLog, KernelGeneration.Xnu517To1228, KdumpFeatures.None, Name);
        var stored = KdumpdStoredBytes.Compute(plan);

        Assert.Equal([1, 1, 44, 1], plan.Operations.Select(o => o.ExtraBytes));
        Assert.Equal(content, stored[..content.Length]);
        Assert.Equal(content.Length + 44, stored.Length);
    }

    [Fact]
    public void Create_SystemLog_SeeksBackOverTheFirstPartsFill()
    {
        var content = ClientTestData.RandomContent(5001, seed: 9);

        var plan = DumpPlan.Create(content, DumpKind.SystemLog, KernelGeneration.Xnu7195Plus, KdumpFeatures.Known, Name);
        var stored = KdumpdStoredBytes.Compute(plan);

        Assert.Equal([DumpOperation.Seek(2500, 0)], plan.Operations.Where(o => o.Kind == DumpOperationKind.Seek));
        Assert.Equal(content, stored[..content.Length]);
        Assert.Equal(Enumerable.Repeat((byte)'Y', 44), stored[content.Length..]);
    }

    [Theory]
    [InlineData(2048, 0)]
    [InlineData(2050, 1)]
    public void Create_SystemLogOnXnu1504_SeeksOnlyWhenTheFirstPartIsUnaligned(int length, int seeks)
    {
        var plan = DumpPlan.Create(new byte[length], DumpKind.SystemLog, KernelGeneration.Xnu1456To1504, KdumpFeatures.LargeCrashdumps, Name);

        Assert.Equal(seeks, plan.Operations.Count(o => o.Kind == DumpOperationKind.Seek));
    }

    [Fact]
    public void Create_SystemLogBefore1456_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            DumpPlan.Create(new byte[10], DumpKind.SystemLog, KernelGeneration.Xnu517To1228, KdumpFeatures.None, Name));
    }
}
