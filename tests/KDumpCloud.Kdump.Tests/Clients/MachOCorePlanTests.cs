using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>The pre-10.11 Mach-O SEEK pattern (kdump-protocol.md §7) against the kdumpd model.</summary>
public class MachOCorePlanTests
{
    public static TheoryData<KernelGeneration, KdumpFeatures, int> MachOCases()
    {
        var data = new TheoryData<KernelGeneration, KdumpFeatures, int>();
        int[] lengths = [1, 27, 32, 511, 512, 513, 1406, 4095, 4096, 4607, 4608, 5000, 8192, 70_001, 1 << 20];
        foreach (var (generation, features) in new[]
        {
            (KernelGeneration.Xnu517To1228, KdumpFeatures.None),
            (KernelGeneration.Xnu1456To1504, KdumpFeatures.LargeCrashdumps),
            (KernelGeneration.Xnu1456To1504, KdumpFeatures.None),
            (KernelGeneration.Xnu1699, KdumpFeatures.Known),
            (KernelGeneration.Xnu2050To2782, KdumpFeatures.Known),
            (KernelGeneration.Xnu2050To2782, KdumpFeatures.None),
        })
        {
            foreach (var length in lengths)
            {
                data.Add(generation, features, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MachOCases))]
    public void Create_MachOCore_KdumpdStoresTheContent(KernelGeneration generation, KdumpFeatures features, int length)
    {
        var content = ClientTestData.RandomContent(length, seed: length);
        var plan = DumpPlan.Create(content, DumpKind.Core, generation, features, "core-test");

        var stored = KdumpdStoredBytes.Compute(plan);

        if (plan.ReproducesContent)
        {
            Assert.Equal(content, stored);
        }
        else
        {
            // Shorter than one packet on a 7-byte corehdr kernel: the one extra byte stays behind the content (§8.3).
            Assert.True(length < 512);
            Assert.Equal(content, stored[..length]);
            Assert.Equal(length + 1, stored.Length);
        }
    }

    [Fact]
    public void Create_MachOCore_FollowsTheKernelsSeekPattern()
    {
        var content = ClientTestData.RandomContent(3 * 4096 + 100, seed: 1);

        var ops = DumpPlan.Create(content, DumpKind.Core, KernelGeneration.Xnu2050To2782, KdumpFeatures.Known, "c").Operations;

        Assert.Equal(DumpOperation.Seek(0, 0), ops[0]);
        Assert.Equal(DumpOperation.Data(0, 32, 0), ops[1]);                 // mach_header_64
        Assert.Equal(DumpOperation.Seek(4096, 0), ops[2]);                  // round_page(header)
        Assert.Equal(DumpOperation.Seek(32, 0), ops[3]);                    // first segment command
        Assert.Equal(DumpOperationKind.Data, ops[4].Kind);
        Assert.Equal(DumpOperation.Seek(4096, 0), ops.Skip(5).First(o => o.Kind == DumpOperationKind.Seek)); // its region
        Assert.Equal(DumpOperation.Eof(0), ops[^1]);
        Assert.Equal(DumpOperation.Data(4096 - 176, 176, 0), ops[^2]);       // thread state, written last
        Assert.Equal(DumpOperation.Seek(4096 - 176, 0), ops[^3]);
    }

    [Fact]
    public void Create_MachOCoreOnSevenByteCorehdr_EveryDataCarriesOneExtraByte()
    {
        var content = ClientTestData.RandomContent(100_000, seed: 2);

        var plan = DumpPlan.Create(content, DumpKind.Core, KernelGeneration.Xnu517To1228, KdumpFeatures.Known, "c");

        Assert.Equal(KdumpFeatures.None, plan.Features);
        Assert.All(plan.Operations, o => Assert.Equal(1, o.ExtraBytes));
        Assert.All(plan.Operations.Where(o => o.Kind == DumpOperationKind.Data), o => Assert.True(o.Length <= 512));
    }

    [Fact]
    public void Create_MachOCore_RegionsAreInterleavedWithTheirCommands()
    {
        var content = ClientTestData.RandomContent(1 << 20, seed: 3);

        var plan = DumpPlan.Create(content, DumpKind.Core, KernelGeneration.Xnu1699, KdumpFeatures.Known, "c");
        var seeks = plan.Operations.Where(o => o.Kind == DumpOperationKind.Seek).Select(o => o.Offset).ToArray();

        // SEEK(0), SEEK(4096), then pairs (hoffset < 4096, foffset ≥ 4096), then SEEK(thread state).
        var pairs = seeks[2..^1];
        Assert.True(pairs.Length >= 4);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            Assert.InRange(pairs[i], 32, 4095);
            Assert.InRange(pairs[i + 1], 4096, content.Length - 1);
        }
    }
}
