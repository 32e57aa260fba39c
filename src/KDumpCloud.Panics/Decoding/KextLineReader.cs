namespace KDumpCloud.Panics.Decoding;

/// <summary>One "Kernel Extensions in backtrace" entry (panic-formats.md 2.5).</summary>
internal sealed record KextEntry(string BundleId, bool IsDependency, string Version, string? Uuid, ulong? Start, ulong? End);

/// <summary>
/// Reads a kext entry line, <c>[dependency: ]id(version)[uuid]@0xstart->0xend</c> (2.5), with the spaces that terminal
/// wraps inject into hex runs (section 6: <c>D52AFA28 EE2B</c>, <c>0xffffff 7f80f24000</c>). Returns null when the line is
/// not one. Hand-written, one pass: it accepts exactly what the pattern
/// <c>^(dependency:\s*)?([A-Za-z0-9_.\-]+)\s*\(([^)]*)\)\s*(?:\[([0-9A-Fa-f\- ]+)\])?\s*@\s*0\s?x([0-9a-fA-F ]+?)(?:\s*->\s*0x([0-9a-fA-F ]+?))?\s*$</c>
/// accepts and captures the same parts, but that pattern's lazy hex runs re-scan a run of spaces from every space in it,
/// which is quadratic in one hostile line (issue 6, item 9).
/// </summary>
internal static class KextLineReader
{
    public static KextEntry? Parse(string line)
    {
        var text = line.AsSpan();
        var dependency = text.StartsWith("dependency:", StringComparison.Ordinal);
        var i = dependency ? SkipWhiteSpace(text, "dependency:".Length) : 0;

        var idStart = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-'))
        {
            i++;
        }

        if (i == idStart)
        {
            return null;
        }

        var id = text[idStart..i];
        i = SkipWhiteSpace(text, i);
        var versionLength = i < text.Length && text[i] == '(' ? text[(i + 1)..].IndexOf(')') : -1;
        if (versionLength < 0)
        {
            return null;
        }

        var version = text.Slice(i + 1, versionLength);
        i = SkipWhiteSpace(text, i + versionLength + 2);
        ReadOnlySpan<char> uuid = default;
        var hasUuid = i < text.Length && text[i] == '[';
        if (hasUuid)
        {
            var uuidEnd = i + 1;
            while (uuidEnd < text.Length && (char.IsAsciiHexDigit(text[uuidEnd]) || text[uuidEnd] is '-' or ' '))
            {
                uuidEnd++;
            }

            if (uuidEnd == i + 1 || uuidEnd >= text.Length || text[uuidEnd] != ']')
            {
                return null;
            }

            uuid = text[(i + 1)..uuidEnd];
            i = SkipWhiteSpace(text, uuidEnd + 1);
        }

        if (i >= text.Length || text[i] != '@')
        {
            return null;
        }

        i = SkipWhiteSpace(text, i + 1);
        if (i >= text.Length || text[i] != '0')
        {
            return null;
        }

        i++;
        if (i + 1 < text.Length && char.IsWhiteSpace(text[i]) && text[i + 1] == 'x')
        {
            i++; // "0 x": a wrap between the two characters
        }

        if (i >= text.Length || text[i] != 'x' || !TryReadHexRun(text, i + 1, out var startEnd, out var start))
        {
            return null;
        }

        // After the start: either only white space, or "->0x" and the end followed by only white space.
        ReadOnlySpan<char> end = default;
        var hasEnd = false;
        i = SkipWhiteSpace(text, startEnd);
        if (i + 1 < text.Length && text[i] == '-' && text[i + 1] == '>')
        {
            var zero = SkipWhiteSpace(text, i + 2);
            if (zero + 1 < text.Length && text[zero] == '0' && text[zero + 1] == 'x' && TryReadHexRun(text, zero + 2, out var endEnd, out var endValue)
                && SkipWhiteSpace(text, endEnd) == text.Length)
            {
                end = endValue;
                hasEnd = true;
                i = text.Length;
            }
        }

        if (i != text.Length)
        {
            return null;
        }

        return new KextEntry(
            id.ToString(),
            dependency,
            version.ToString(),
            hasUuid ? WithoutSpaces(uuid) : null,
            Hex.Parse(WithoutSpaces(start)),
            hasEnd ? Hex.Parse(WithoutSpaces(end)) : null);
    }

    /// <summary>
    /// A run of hex digits and spaces (at least one character); its value stops after the last digit, because the
    /// pattern's lazy run leaves trailing spaces to the white space after it (a run of spaces alone keeps one).
    /// </summary>
    private static bool TryReadHexRun(ReadOnlySpan<char> text, int from, out int runEnd, out ReadOnlySpan<char> value)
    {
        runEnd = from;
        var lastDigit = -1;
        while (runEnd < text.Length && (char.IsAsciiHexDigit(text[runEnd]) || text[runEnd] == ' '))
        {
            lastDigit = text[runEnd] == ' ' ? lastDigit : runEnd;
            runEnd++;
        }

        value = runEnd > from ? text[from..Math.Max(from + 1, lastDigit + 1)] : default;
        return runEnd > from;
    }

    private static int SkipWhiteSpace(ReadOnlySpan<char> text, int from)
    {
        while (from < text.Length && char.IsWhiteSpace(text[from]))
        {
            from++;
        }

        return from;
    }

    /// <summary>Terminal wraps inject spaces into long hex runs (section 6).</summary>
    private static string WithoutSpaces(ReadOnlySpan<char> text) =>
        text.Contains(' ') ? text.ToString().Replace(" ", string.Empty, StringComparison.Ordinal) : text.ToString();
}
