using System.Diagnostics;

namespace KDumpCloud.Panics.Tests.Support;

/// <summary>
/// Checks that the time a decode takes grows linearly with its input, without trusting one wall-clock reading on a
/// shared, loaded machine: the same adversarial input is decoded at two sizes, <see cref="Factor"/> apart, the fastest
/// of a few runs counts, and the larger may take up to <see cref="MaxRatio"/> times the smaller (linear work gives
/// about 8, quadratic about 64) plus a fixed allowance for a GC or a descheduled thread.
/// </summary>
internal static class Linearity
{
    public const int Factor = 8;
    public const double MaxRatio = 24;
    private const int Runs = 3;
    private static readonly TimeSpan Allowance = TimeSpan.FromMilliseconds(150);

    public static void AssertLinear(Func<int, string> make, Action<string> decode, int smallSize)
    {
        decode(make(1024)); // JIT and tiering, so that the first timed run is not the slowest
        var small = Fastest(make(smallSize), decode);
        var large = Fastest(make(smallSize * Factor), decode);

        Assert.True(large <= small * MaxRatio + Allowance,
            $"{smallSize} chars took {small.TotalMilliseconds:F1} ms, {smallSize * Factor} chars {large.TotalMilliseconds:F1} ms: not linear");
    }

    private static TimeSpan Fastest(string input, Action<string> decode)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            decode(input);
            var elapsed = Stopwatch.GetElapsedTime(started);
            fastest = elapsed < fastest ? elapsed : fastest;
        }

        return fastest;
    }
}
