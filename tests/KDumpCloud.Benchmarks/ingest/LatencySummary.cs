using System.Globalization;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>Nearest-rank percentiles of a set of durations in milliseconds.</summary>
internal sealed class LatencySummary
{
    private readonly double[] _sorted;

    public LatencySummary(IEnumerable<double> milliseconds)
    {
        _sorted = [.. milliseconds.Order()];
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("no samples");
        }
    }

    public int Count => _sorted.Length;

    public double Mean => _sorted.Average();

    public double Max => _sorted[^1];

    public double Percentile(double p) => _sorted[Math.Clamp((int)Math.Ceiling(p / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];

    /// <summary>`NAME-p50 x NAME-p90 y NAME-mean z NAME-max w`, in milliseconds with two decimals.</summary>
    public string Fields(string name) => string.Create(CultureInfo.InvariantCulture,
        $"{name}-p50 {Percentile(50):F2} {name}-p90 {Percentile(90):F2} {name}-mean {Mean:F2} {name}-max {Max:F2}");
}
