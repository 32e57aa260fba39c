using System.Net;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Undoes the damage that pasting does to a panic log (panic-formats.md section 6): HTML entities,
/// markdown quote markers and emphasis, escaped underscores, JavaScript string-array wrapping,
/// indentation and trailing spaces. Returns trimmed lines; never throws.
/// </summary>
internal static class InputCleaner
{
    /// <summary>
    /// Memory per decode stays a small multiple of the input (issue 6, benchmarks): a real log has hundreds of lines
    /// of under a few hundred characters, so lines past these bounds are hostile or not a log, and are cut, with a warning.
    /// </summary>
    internal const int MaxLines = 100_000;
    internal const int MaxLineLength = 64 * 1024;

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
        if (lines.Count > MaxLines)
        {
            warnings.Add($"text has more than {MaxLines} lines; the rest was ignored");
            lines.RemoveRange(MaxLines, lines.Count - MaxLines);
        }

        var quoted = MostLinesStartWith(text, lines, static l => l.StartsWith('>'));
        var jsStrings = MostLinesStartWith(text, lines, static l => l.StartsWith('"') && (l.EndsWith("\",", StringComparison.Ordinal) || l.EndsWith('"')));
        if (quoted)
        {
            warnings.Add("markdown quote markers removed");
        }

        if (jsStrings)
        {
            warnings.Add("string-array wrapping removed");
        }

        var cleaned = new List<string>(lines.Count);
        var inLoadedKexts = false;
        var cut = 0;
        foreach (var range in lines)
        {
            var line = text.AsSpan(range).Trim();
            if (line.Length > MaxLineLength)
            {
                line = line[..MaxLineLength];
                cut++;
            }

            if (inLoadedKexts)
            {
                // Nothing in the loaded-kext list identifies the panic (section 2.6) and the parser skips it, so
                // don't copy it, unless another pasted panic begins.
                if (!line.Contains("anic(cpu ", StringComparison.Ordinal))
                {
                    continue;
                }

                inLoadedKexts = false;
            }

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

            line = line.Trim();
            if (line.SequenceEqual("loaded kexts:"))
            {
                inLoadedKexts = true;
            }

            cleaned.Add(line.Contains("\\_", StringComparison.Ordinal)
                ? line.ToString().Replace("\\_", "_", StringComparison.Ordinal)
                : line.Length == 0 ? string.Empty : line.ToString());
        }

        if (cut > 0)
        {
            warnings.Add($"{cut} lines longer than {MaxLineLength} characters were cut");
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

    /// <summary>Line ranges, one past <see cref="MaxLines"/> at most (so the caller can tell the text had more).</summary>
    private static List<Range> SplitLines(string text)
    {
        var lines = new List<Range>(Math.Min(text.Length / 40, MaxLines + 1));
        var start = 0;
        while (lines.Count <= MaxLines)
        {
            var end = text.AsSpan(start).IndexOfAny('\r', '\n');
            if (end < 0)
            {
                lines.Add(start..text.Length);
                return lines;
            }

            end += start;
            lines.Add(start..end);
            start = end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
        }

        return lines;
    }

    private delegate bool LinePredicate(ReadOnlySpan<char> line);

    private static bool MostLinesStartWith(string text, List<Range> lines, LinePredicate predicate)
    {
        int matching = 0, nonBlank = 0;
        foreach (var range in lines)
        {
            var trimmed = text.AsSpan(range).Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            // 10.15 loaded-kext lists start many lines with '>' (com.apple.driver.); they are not quoting.
            if (trimmed.EndsWith("loaded kexts:", StringComparison.Ordinal))
            {
                break;
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
