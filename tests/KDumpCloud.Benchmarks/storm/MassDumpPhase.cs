using System.Diagnostics;
using System.Globalization;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>Phase 1: many Macs panic at once (a lab-wide power event, a bad update), each from its own 127.2.x.y,
/// each with its own core of a size between the minimum and the maximum.</summary>
internal static class MassDumpPhase
{
    public static async Task<PhaseResult> RunAsync(StormContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var random = new Random(1);
        var pool = new byte[o.MassMaxSize * 2];
        random.NextBytes(pool);
        var wrqs = new WrqStats();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(o.MassDuration);
        var started = Stopwatch.GetTimestamp();
        var macs = new List<Task<MacResult>>(o.MassMacs);
        for (var i = 0; i < o.MassMacs; i++)
        {
            // Each Mac its own slice of the pool, so one Mac's bytes stored under another's name would not hash right.
            var size = (int)random.NextInt64(o.MassMinSize, o.MassMaxSize + 1);
            var content = pool.AsMemory(random.Next(0, pool.Length - size + 1), size);
            var address = SourceAddresses.For(SourceAddresses.MassDump, i);
            var spec = new MacSpec(context.Server, context.Source(address), StormContext.CoreName(address, 0x1000), content, o.MassTiming);
            macs.Add(new AsyncKernelClient(spec, wrqs).RunAsync(bound.Token));
        }

        var results = await Task.WhenAll(macs);
        var wall = Stopwatch.GetElapsedTime(started);
        return PhaseResult.FromMacs("1. mass dump",
            string.Create(CultureInfo.InvariantCulture,
                $"{o.MassMacs} Macs at once from 127.2.x.y, cores of {SizeText.Format(o.MassMinSize)} … {SizeText.Format(o.MassMaxSize)}, {StormOptions.TimingName(o.MassTiming)} timing, bounded to {o.MassDuration.TotalSeconds:0} s"),
            wall, wrqs, results, context);
    }
}
