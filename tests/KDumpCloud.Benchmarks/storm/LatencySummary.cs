using System.Diagnostics;
using System.Globalization;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>p50, p99 and max of a set of latencies (nearest rank).</summary>
internal readonly record struct LatencySummary(int Count, TimeSpan P50, TimeSpan P99, TimeSpan Max)
{
    public static LatencySummary FromStopwatchTicks(IReadOnlyCollection<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return default;
        }

        var sorted = ticks.ToArray();
        Array.Sort(sorted);
        return new(sorted.Length, At(sorted, 0.50), At(sorted, 0.99), ToSpan(sorted[^1]));
    }

    /// <summary>"p50 / p99 / max" in milliseconds, or "-" when there were none.</summary>
    public string ToMilliseconds() => Count == 0
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{P50.TotalMilliseconds:F2} / {P99.TotalMilliseconds:F2} / {Max.TotalMilliseconds:F2}");

    private static TimeSpan At(long[] sorted, double quantile) =>
        ToSpan(sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)]);

    private static TimeSpan ToSpan(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
}
