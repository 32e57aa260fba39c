using System.Net;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Undoes the damage that pasting does to a panic log (panic-formats.md section 6): HTML entities,
/// markdown quote markers and emphasis, escaped underscores, JavaScript string-array wrapping,
/// indentation and trailing spaces. Returns trimmed lines; never throws.
/// </summary>
internal static class InputCleaner
{
    public static List<string> CleanLines(string text, List<string> warnings)
    {
        if (text.Contains('&', StringComparison.Ordinal) && text.Contains(';', StringComparison.Ordinal))
        {
            var decoded = WebUtility.HtmlDecode(text);
            if (!ReferenceEquals(decoded, text) && decoded != text)
            {
                warnings.Add("HTML entities decoded");
                text = decoded;
            }
        }

        var lines = SplitLines(text);
        var quoted = MostLinesStartWith(lines, static l => l.StartsWith('>'));
        var jsStrings = MostLinesStartWith(lines, static l => l.StartsWith('"') && (l.EndsWith("\",", StringComparison.Ordinal) || l.EndsWith('"')));
        if (quoted)
        {
            warnings.Add("markdown quote markers removed");
        }

        if (jsStrings)
        {
            warnings.Add("string-array wrapping removed");
        }

        var cleaned = new List<string>(lines.Count);
        foreach (var raw in lines)
        {
            var line = raw.AsSpan().Trim();
            if (quoted && line.StartsWith('>'))
            {
                // Strip one quote level only: a second '>' is the 10.15 "com.apple.driver." kext prefix (6).
                line = line[1..].Trim();
            }

            if (jsStrings)
            {
                line = UnwrapJsString(line);
            }

            line = line.TrimStart('`').TrimEnd('`');
            if (line.StartsWith("**", StringComparison.Ordinal) && line.EndsWith("**", StringComparison.Ordinal) && line.Length >= 4)
            {
                line = line[2..^2];
            }

            var cleanedLine = line.Trim().ToString();
            if (cleanedLine.Contains("\\_", StringComparison.Ordinal))
            {
                cleanedLine = cleanedLine.Replace("\\_", "_", StringComparison.Ordinal);
            }

            cleaned.Add(cleanedLine);
        }

        return cleaned;
    }

    private static ReadOnlySpan<char> UnwrapJsString(ReadOnlySpan<char> line)
    {
        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            line = line[2..].TrimStart();
        }

        if (line.StartsWith('"'))
        {
            line = line[1..];
            if (line.EndsWith("\",", StringComparison.Ordinal))
            {
                line = line[..^2];
            }
            else if (line.EndsWith('"'))
            {
                line = line[..^1];
            }
        }

        return line;
    }

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var rest = text.AsSpan();
        while (true)
        {
            var end = rest.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                lines.Add(rest.ToString());
                return lines;
            }

            lines.Add(rest[..end].ToString());
            var skip = rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1;
            rest = rest[(end + skip)..];
        }
    }

    private static bool MostLinesStartWith(List<string> lines, Func<string, bool> predicate)
    {
        int matching = 0, nonBlank = 0;
        foreach (var line in lines)
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            nonBlank++;
            if (predicate(trimmed))
            {
                matching++;
            }
        }

        return nonBlank >= 2 && matching * 2 > nonBlank;
    }
}
