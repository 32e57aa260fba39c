using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Backtrace and "Kernel Extensions in backtrace" lines in every grammar: x86_64 <c>frame : return [image : symbol + off]</c>
/// (2.4), i386 with four stack words (1.1), arm64 <c>lr: .. fp: ..</c> (3), PowerPC one-line <c>Backtrace: ..</c> (1.3),
/// and kext entries (2.5, <see cref="KextLineReader"/>). Unparseable lines return null.
/// </summary>
internal static class BacktraceReader
{
    public static bool IsFrameLine(string line) =>
        (line.StartsWith("0x", StringComparison.Ordinal) && line.Contains(" : ", StringComparison.Ordinal))
        || line.StartsWith("lr:", StringComparison.Ordinal);

    public static BacktraceFrame? ParseFrame(string line)
    {
        if (line.StartsWith("lr:", StringComparison.Ordinal))
        {
            var lr = line.AsSpan(3).Trim();
            var fpAt = lr.IndexOf("fp:", StringComparison.Ordinal);
            var lrValue = Hex.Parse(fpAt >= 0 ? lr[..fpAt] : lr);
            return lrValue is { } address
                ? new BacktraceFrame(address) { FramePointer = fpAt >= 0 ? Hex.Parse(lr[(fpAt + 3)..]) : null }
                : null;
        }

        var separator = line.IndexOf(" : ", StringComparison.Ordinal);
        if (separator < 0 || !Hex.TryParse(line.AsSpan(0, separator), out var framePointer))
        {
            return null;
        }

        var rest = line.AsSpan(separator + 3).Trim();
        var end = 2;
        while (end < rest.Length && char.IsAsciiHexDigit(rest[end]))
        {
            end++;
        }

        if (!rest.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !Hex.TryParse(rest[..end], out var returnAddress))
        {
            return null;
        }

        var frame = new BacktraceFrame(returnAddress) { FramePointer = framePointer };
        var symbolPart = rest[end..].Trim();
        var imageSeparator = symbolPart.IndexOf(" : ", StringComparison.Ordinal);
        if (imageSeparator > 0 && !symbolPart.StartsWith('('))
        {
            var symbol = symbolPart[(imageSeparator + 3)..].Trim();
            var plus = symbol.LastIndexOf(" + ", StringComparison.Ordinal);
            frame = frame with
            {
                Image = KextNames.Expand(symbolPart[..imageSeparator].Trim().ToString()),
                Symbol = (plus > 0 ? symbol[..plus] : symbol).Trim().ToString(),
            };
        }

        else if (KextRelative(symbolPart) is { } relative)
        {
            frame = frame with { Image = relative.Kext, KextOffset = relative.Offset };
        }

        return frame;
    }

    /// <summary>
    /// <c>com.example.driver + 33420</c>: a kext frame that keepsyms could not name prints the bundle and its decimal
    /// offset from the kext's start. Often the only place a cut log keeps the kext-relative offset (no kext range list).
    /// </summary>
    private static (string Kext, ulong Offset)? KextRelative(ReadOnlySpan<char> text)
    {
        var plus = text.IndexOf(" + ", StringComparison.Ordinal);
        if (plus <= 0)
        {
            return null;
        }

        var name = text[..plus].Trim();
        var digits = text[(plus + 3)..].Trim();
        if (name.IndexOf('.') <= 0 || name.ContainsAny(' ', '\t') || digits.IsEmpty || digits.Length > 19)
        {
            return null;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }
        }

        return (KextNames.Expand(name.ToString()), ulong.Parse(digits, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>PowerPC: <c>Backtrace: 0x01BC80AC 0x007A1D48 ...</c> on one line.</summary>
    public static IEnumerable<BacktraceFrame> ParseOneLineBacktrace(string line)
    {
        foreach (var token in line["Backtrace:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Hex.TryParse(token, out var address))
            {
                yield return new BacktraceFrame(address);
            }
        }
    }

    /// <summary>A kext entry line (2.5); see <see cref="KextLineReader"/>.</summary>
    public static KextEntry? ParseKext(string line) => KextLineReader.Parse(line);
}
