using System.Diagnostics;

namespace KDumpCloud.Cli.Send;

/// <summary>Percentiles of ACK round trips (nearest-rank).</summary>
public readonly record struct RoundTripSummary(int Count, TimeSpan P50, TimeSpan P90, TimeSpan P99, TimeSpan Max)
{
    /// <summary>Summarises round trips given in <see cref="Stopwatch"/> ticks; sorts a copy.</summary>
    public static RoundTripSummary FromStopwatchTicks(ReadOnlySpan<long> ticks)
    {
        if (ticks.IsEmpty)
        {
            return default;
        }

        var sorted = ticks.ToArray();
        Array.Sort(sorted);
        return new RoundTripSummary(sorted.Length, At(sorted, 0.50), At(sorted, 0.90), At(sorted, 0.99), Stopwatch.GetElapsedTime(0, sorted[^1]));
    }

    private static TimeSpan At(long[] sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile * sorted.Length) - 1;
        return Stopwatch.GetElapsedTime(0, sorted[Math.Clamp(rank, 0, sorted.Length - 1)]);
    }
}
