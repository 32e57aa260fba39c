using System.Globalization;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>Sizes like <c>4096</c>, <c>2K</c>, <c>256KiB</c>, <c>8MiB</c> (powers of 1024).</summary>
internal static class SizeText
{
    public static long Parse(string text)
    {
        var s = text.Trim();
        s = s.EndsWith("iB", StringComparison.OrdinalIgnoreCase) ? s[..^2] : s.TrimEnd('B', 'b');
        var shift = char.ToUpperInvariant(s.Length > 0 ? s[^1] : ' ') switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            _ => 0,
        };
        var number = long.Parse(shift == 0 ? s : s[..^1], NumberStyles.None, CultureInfo.InvariantCulture);
        return checked(number << shift);
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB"),
        >= 1 << 10 when bytes % (1 << 10) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
