using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>Plan → datagrams → kdumpd model, over random lengths, generations and features.</summary>
public class DumpPlanPropertyTests
{
    private static readonly KernelGeneration[] Generations = Enum.GetValues<KernelGeneration>();

    [Property(MaxTest = 300)]
    public Property Core_StoredBytesEqualContent(NonNegativeInt length, byte generationPick, byte featurePick, int seed)
    {
        var generation = Generations[generationPick % Generations.Length];
        var size = length.Get % 40_000;
        var content = ClientTestData.RandomContent(size, seed);
        var plan = DumpPlan.Create(content, DumpKind.Core, generation, (KdumpFeatures)(featurePick & 3), "core-p");

        var stored = KdumpdStoredBytes.Compute(plan);

        var exactWhenPromised = !plan.ReproducesContent || stored.AsSpan().SequenceEqual(content);
        var promisedWhenItCan = plan.ReproducesContent || size < plan.MaxPayload;
        return (exactWhenPromised && promisedWhenItCan).Label($"{generation} {plan.Features} {size}");
    }

    [Property(MaxTest = 200)]
    public Property PanicLog_StoredBytesAreContentThenFillThatFitsTheLastPacket(PositiveInt length, byte generationPick, byte featurePick, int seed)
    {
        var generation = Generations[1 + (generationPick % (Generations.Length - 1))]; // 'X'/'Y' fill, not stale
        var size = length.Get % 20_000;
        var content = ClientTestData.RandomContent(size, seed);
        var plan = DumpPlan.Create(content, DumpKind.PanicLog, generation, (KdumpFeatures)(featurePick & 3), ClientTestData.PanicLogName);
        var last = plan.Operations[^2];
        var fill = Math.Min(last.ExtraBytes, plan.MaxPayload - last.Length);

        var stored = KdumpdStoredBytes.Compute(plan);

        var ok = stored.Length == size + fill
            && stored.AsSpan(0, size).SequenceEqual(content)
            && stored.AsSpan(size).IndexOfAnyExcept(plan.Profile.FillByte!.Value) < 0;
        return ok.Label($"{generation} {plan.Features} {size}");
    }

    [Property(MaxTest = 100)]
    public Property Any_BlockNumbersCountUpFromOne(PositiveInt length, byte generationPick, byte kindPick)
    {
        var generation = Generations[1 + (generationPick % (Generations.Length - 1))];
        var plan = DumpPlan.Create(new byte[length.Get % 10_000], (DumpKind)(kindPick % 3), generation, KdumpFeatures.Known, "n");

        var blocks = KdumpdStoredBytes.Datagrams(plan).Select(d => KdumpPacketReader.TryReadHeader(d, out _, out var block) ? block : 0u);

        return blocks.SequenceEqual(Enumerable.Range(1, plan.Operations.Count).Select(i => (uint)i)).ToProperty();
    }
}
