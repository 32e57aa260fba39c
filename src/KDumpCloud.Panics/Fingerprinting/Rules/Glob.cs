namespace KDumpCloud.Panics.Fingerprinting.Rules;

/// <summary>
/// A case-insensitive glob: <c>*</c> is any run, <c>?</c> any one character, everything else itself. Matching takes
/// the star-free segments left to right at their leftmost place (which is exact for globs), so it costs at most
/// text length × pattern length with no backtracking: linear in the text, the pattern being at most
/// <see cref="GroupingRules.MaxPatternLength"/> characters.
/// </summary>
internal sealed class Glob
{
    private readonly string[] _segments;
    private readonly bool _anchoredStart;
    private readonly bool _anchoredEnd;

    public Glob(string pattern)
    {
        Pattern = pattern;
        _segments = pattern.Split('*', StringSplitOptions.RemoveEmptyEntries);
        _anchoredStart = !pattern.StartsWith('*');
        _anchoredEnd = !pattern.EndsWith('*');
    }

    public string Pattern { get; }

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (_segments.Length == 0)
        {
            // "" matches only ""; "*", "**" match anything.
            return Pattern.Length > 0 || text.IsEmpty;
        }

        var position = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            var first = i == 0 && _anchoredStart;
            var last = i == _segments.Length - 1 && _anchoredEnd;
            if (first && last)
            {
                return text.Length == segment.Length && SegmentAt(text, 0, segment);
            }

            if (first)
            {
                if (!SegmentAt(text, 0, segment))
                {
                    return false;
                }

                position = segment.Length;
            }
            else if (last)
            {
                // The last segment sits at the end; it must not overlap what earlier segments took.
                var at = text.Length - segment.Length;
                return at >= position && SegmentAt(text, at, segment);
            }
            else
            {
                var at = Find(text, position, segment);
                if (at < 0)
                {
                    return false;
                }

                position = at + segment.Length;
            }
        }

        return true;
    }

    private static int Find(ReadOnlySpan<char> text, int from, string segment)
    {
        for (var at = from; at + segment.Length <= text.Length; at++)
        {
            if (SegmentAt(text, at, segment))
            {
                return at;
            }
        }

        return -1;
    }

    private static bool SegmentAt(ReadOnlySpan<char> text, int at, string segment)
    {
        if (at < 0 || at + segment.Length > text.Length)
        {
            return false;
        }

        for (var i = 0; i < segment.Length; i++)
        {
            var p = segment[i];
            if (p != '?' && char.ToLowerInvariant(p) != char.ToLowerInvariant(text[at + i]))
            {
                return false;
            }
        }

        return true;
    }
}
