using System.Text;
using System.Text.RegularExpressions;
using KDumpCloud.Panics.Decoding;

namespace KDumpCloud.Panics.Fingerprinting;

/// <summary>
/// Reduces a panic message to its template (panic-formats.md section 5): the source tag, register dumps and
/// <c>NAME=value</c> status dumps are cut, numbers, addresses and UUIDs become placeholders, coprocessor instance
/// numbers are dropped, and whitespace (including wraps) collapses, so per-boot values never reach the hash.
/// </summary>
internal static partial class MessageTemplate
{
    private const int MaxLength = 160;

    public static string Normalize(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return string.Empty;
        }

        // Single-space first: a wrap may fall anywhere, even inside the source path.
        var text = MessageClassifier.Flatten(message.Replace("\\n", " ", StringComparison.Ordinal).Replace("\\t", " ", StringComparison.Ordinal));
        if (text.Contains('@', StringComparison.Ordinal))
        {
            text = CutAt(text, SourceTagPattern().Match(text));
        }

        if (text.Contains("file:", StringComparison.Ordinal))
        {
            text = CutAt(text, AssertionFilePattern().Match(text));
        }

        var registers = text.IndexOf("registers", StringComparison.OrdinalIgnoreCase);
        if (registers >= 0)
        {
            text = text[..registers];
        }

        // A NAME=value dump after the words of the template is device state (CSTS=, VID=, DAR=...), and which
        // fields are printed changes between driver versions (VID/DID= vs VID= DID=), so it is not identity.
        var dump = text.Contains('=', StringComparison.Ordinal) ? StatusDumpPattern().Match(text) : Match.Empty;
        if (dump.Success && WordCount(text.AsSpan(0, dump.Index)) >= 2)
        {
            text = text[..dump.Index];
        }

        text = text.Replace("\"", " ", StringComparison.Ordinal).Replace("'", " ", StringComparison.Ordinal);
        if (text.Contains("EXT", StringComparison.Ordinal))
        {
            text = CoprocessorInstancePattern().Replace(text, "$1");
        }

        text = VariablePattern().Replace(text, static m => m.Groups["uuid"].Success ? "<uuid>" : m.Groups["hex"].Success ? "0x?" : "#");
        var collapsed = Collapse(text).TrimEnd(' ', '.', ',', ':', ';', '-');
        return collapsed.Length <= MaxLength ? collapsed : collapsed[..MaxLength];
    }

    private static string CutAt(string text, Match match) => match.Success && match.Index > 0 ? text[..match.Index] : text;

    private static int WordCount(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var range in text.SplitAny(" \t\n"))
        {
            if (!text[range].IsEmpty)
            {
                count++;
            }
        }

        return count;
    }

    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    [GeneratedRegex("[\"']?\\s*@\\s*/?[A-Za-z0-9_.+\\-/ ]*?[A-Za-z0-9_+\\-]+\\.(?:c|cc|cpp|h|hpp|m|mm|s|swift|c\\+\\+):\\d+", RegexOptions.CultureInvariant)]
    private static partial Regex SourceTagPattern();

    [GeneratedRegex(@",\s*file:\s", RegexOptions.CultureInvariant)]
    private static partial Regex AssertionFilePattern();

    [GeneratedRegex(@"(?<![\w\[/])[A-Za-z][A-Za-z0-9_]*(?:\[[^\]\s]*\])?(?:/[A-Za-z][A-Za-z0-9_]*)*=", RegexOptions.CultureInvariant)]
    private static partial Regex StatusDumpPattern();

    [GeneratedRegex(@"\b([A-Z][A-Z0-9]*?)EXT\d+\b", RegexOptions.CultureInvariant)]
    private static partial Regex CoprocessorInstancePattern();

    [GeneratedRegex(@"(?<uuid>\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b)|(?<hex>\b0[xX][0-9a-fA-F]+)|\b\d+\b", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();
}
