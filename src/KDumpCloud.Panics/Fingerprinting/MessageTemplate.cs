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
        if (SourceTag.Find(text) is { Start: > 0 } tag)
        {
            text = text[..tag.Start];
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
        var dump = text.Contains('=', StringComparison.Ordinal) ? StatusDumpPattern.Match(text).Groups["dump"] : Match.Empty;
        if (dump.Success && WordCount(text.AsSpan(0, dump.Index)) >= 2)
        {
            text = text[..dump.Index];
        }

        text = text.Replace("\"", " ", StringComparison.Ordinal).Replace("'", " ", StringComparison.Ordinal);
        if (text.Contains("EXT", StringComparison.Ordinal))
        {
            text = CoprocessorInstancePattern().Replace(text, "$1");
        }

        var collapsed = ReplaceVariablesAndCollapse(text).TrimEnd(' ', '.', ',', ':', ';', '-');
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

    /// <summary>
    /// One pass: a UUID becomes <c>&lt;uuid&gt;</c>, <c>0x</c>+hex becomes <c>0x?</c>, a free-standing decimal number
    /// becomes <c>#</c> (digits glued to letters, as in <c>IO80211</c> or <c>3rd</c>, are words and stay), and
    /// whitespace runs become one space.
    /// </summary>
    private static string ReplaceVariablesAndCollapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                i++;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            var atBoundary = i == 0 || !IsWordChar(text[i - 1]);
            if (atBoundary && IsUuidAt(text, i))
            {
                builder.Append("<uuid>");
                i += 36;
            }
            else if (atBoundary && c == '0' && i + 2 < text.Length && (text[i + 1] | 0x20) == 'x' && char.IsAsciiHexDigit(text[i + 2]))
            {
                builder.Append("0x?");
                i += 2;
                while (i < text.Length && char.IsAsciiHexDigit(text[i]))
                {
                    i++;
                }
            }
            else if (atBoundary && char.IsAsciiHexDigit(c))
            {
                // A run of hex digits holding a decimal digit is a value (registry ids such as "(1e,4020001)", bare
                // hex): kdc-fp-2 rule template-values. Letters-only runs ("add", "face") are words and stay.
                var end = i;
                var hasDigit = false;
                while (end < text.Length && char.IsAsciiHexDigit(text[end]))
                {
                    hasDigit |= char.IsAsciiDigit(text[end]);
                    end++;
                }

                var unit = hasDigit && char.IsAsciiDigit(c) ? UnitLength(text, end) : 0;
                if (hasDigit && (end == text.Length || !IsWordChar(text[end])))
                {
                    builder.Append('#');
                    i = end;
                }
                else if (unit > 0)
                {
                    // "(60s)", "500ms": a duration with its unit (template-values).
                    builder.Append('#').Append(text, end, unit);
                    i = end + unit;
                }
                else
                {
                    // A word that starts with hex letters or digits ("IO80211" never gets here; "3rd", "abort"): copy it whole.
                    var wordEnd = end;
                    while (wordEnd < text.Length && IsWordChar(text[wordEnd]))
                    {
                        wordEnd++;
                    }

                    builder.Append(text, i, wordEnd - i);
                    i = wordEnd;
                }
            }
            else
            {
                builder.Append(c);
                i++;
            }
        }

        return builder.ToString();
    }

    private static readonly string[] Units = ["ms", "us", "ns", "sec", "secs", "s"];

    /// <summary>The length of a time unit glued to a number and ending the word there, or 0.</summary>
    private static int UnitLength(string text, int at)
    {
        foreach (var unit in Units)
        {
            var end = at + unit.Length;
            if (end <= text.Length && text.AsSpan(at, unit.Length).SequenceEqual(unit) && (end == text.Length || !IsWordChar(text[end])))
            {
                return unit.Length;
            }
        }

        return 0;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsUuidAt(string text, int at)
    {
        if (at + 36 > text.Length || (at + 36 < text.Length && IsWordChar(text[at + 36])))
        {
            return false;
        }

        for (var i = 0; i < 36; i++)
        {
            var c = text[at + i];
            var ok = i is 8 or 13 or 18 or 23 ? c == '-' : char.IsAsciiHexDigit(c);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@",\s*file:\s", RegexOptions.CultureInvariant)]
    private static partial Regex AssertionFilePattern();

    /// <summary>
    /// <c>NAME=</c>, <c>NAME[i]=</c> or <c>A/B=</c> not inside another word, index or path. With a backtracking engine
    /// every start re-scans an unclosed <c>[</c> to the end of the message (quadratic: issue 6 item 9, <c>a[-</c>
    /// repeated), so it runs on the linear non-backtracking engine, which has no lookbehind: the character before the
    /// name is matched instead of looked behind at, and the name is the <c>dump</c> group.
    /// </summary>
    internal static readonly Regex StatusDumpPattern = new(
        @"(?:^|[^\w\[/])(?<dump>[A-Za-z][A-Za-z0-9_]*(?:\[[^\]\s]*\])?(?:/[A-Za-z][A-Za-z0-9_]*)*=)",
        RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    // Linear as generated: each ',' starts one try whose white space run ends at the next non-space; each word start
    // one try that stops at the end of its word.

    [GeneratedRegex(@"\b([A-Z][A-Z0-9]*?)EXT\d+\b", RegexOptions.CultureInvariant)]
    private static partial Regex CoprocessorInstancePattern();
}
