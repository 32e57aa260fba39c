using System.Diagnostics;
using System.Globalization;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>Phase 2: many tiny dumps from distinct 127.3.x.y, started at an even rate over a bounded time, so that
/// finished transfers pile up faster than the relay lets them go.</summary>
internal static class ShortTransfersPhase
{
    /// <summary>How long Macs still running when the starts are over may take before they are stopped.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    public static async Task<PhaseResult> RunAsync(StormContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var content = new byte[o.ShortSize];
        new Random(2).NextBytes(content);
        var wrqs = new WrqStats();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(o.ShortDuration + Grace);
        var interval = o.ShortCount == 0 ? 0 : Stopwatch.Frequency * o.ShortDuration.TotalSeconds / o.ShortCount;
        var started = Stopwatch.GetTimestamp();
        var macs = new List<Task<MacResult>>(o.ShortCount);
        for (var i = 0; i < o.ShortCount && !bound.IsCancellationRequested; i++)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started + (long)(i * interval));
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, CancellationToken.None);
            }

            var address = SourceAddresses.For(SourceAddresses.ShortTransfers, i);
            var spec = new MacSpec(context.Server, context.Source(address), StormContext.CoreName(address, 0x2000), content, o.ShortTiming);
            macs.Add(new AsyncKernelClient(spec, wrqs).RunAsync(bound.Token));
        }

        var startsTook = Stopwatch.GetElapsedTime(started);
        var results = await Task.WhenAll(macs);
        var wall = Stopwatch.GetElapsedTime(started);
        return PhaseResult.FromMacs("2. short transfers",
            string.Create(CultureInfo.InvariantCulture,
                $"{o.ShortCount} dumps of {SizeText.Format(o.ShortSize)} from distinct 127.3.x.y, started evenly over {o.ShortDuration.TotalSeconds:0} s ({o.ShortCount / o.ShortDuration.TotalSeconds:0}/s), {StormOptions.TimingName(o.ShortTiming)} timing"),
            wall, wrqs, results, context) with
        {
            Notes = [string.Create(CultureInfo.InvariantCulture, $"{macs.Count} started in {startsTook.TotalSeconds:F1} s")],
        };
    }
}
