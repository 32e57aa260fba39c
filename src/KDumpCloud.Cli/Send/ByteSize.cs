using System.Globalization;

namespace KDumpCloud.Cli.Send;

/// <summary>Parses sizes like <c>4096</c>, <c>64k</c>, <c>16M</c>, <c>16MiB</c>, <c>1G</c> (powers of 1024).</summary>
internal static class ByteSize
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^2];
        }
        else if (s.EndsWith('B') || s.EndsWith('b'))
        {
            s = s[..^1];
        }

        var shift = char.ToUpperInvariant(s.Length > 0 ? s[^1] : ' ') switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            _ => 0,
        };
        if (shift > 0)
        {
            s = s[..^1];
        }

        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > (long.MaxValue >> shift))
        {
            return false;
        }

        bytes = value << shift;
        return true;
    }
}
