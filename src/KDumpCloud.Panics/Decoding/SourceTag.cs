using System.Globalization;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// The source location a string panic ends with (panic-formats.md 2.2 shapes 2 and 3): <c>"text"@/full/path/file.c:123</c>
/// (10.7-10.15) or <c>text @File.cpp:6090</c> (11+). Pastes may inject spaces into the path (section 6), so spaces
/// are allowed inside it and removed from the file name. Hand-written: the equivalent regex backtracks per character.
/// </summary>
/// <remarks>
/// Bounded work on hostile text (issue 6, item 9): only the last <see cref="MaxCandidates"/> <c>@</c> signs are tried,
/// each path is read at most <see cref="MaxPathLength"/> characters far in one forward pass, and the file name is
/// checked without copying it, so a message made of <c>@x:1</c> repeated costs a fixed amount per character instead of
/// a scan per <c>@</c> per <c>:</c>. Real tags are one of the last few <c>@</c> and far shorter than xnu's MAXPATHLEN.
/// </remarks>
internal readonly record struct SourceTag(int Start, string File, int? Line)
{
    /// <summary>xnu's MAXPATHLEN: a longer run is not a source path.</summary>
    internal const int MaxPathLength = 1024;

    /// <summary>How many <c>@</c> signs, from the end, may start a tag.</summary>
    internal const int MaxCandidates = 32;

    private static readonly string[] Extensions = [".c", ".cc", ".cpp", ".h", ".hpp", ".m", ".mm", ".s", ".swift", ".c++"];

    // The longest extension plus one character before it: enough of the file name to decide.
    private const int NameTailLength = 7;

    public static SourceTag? Find(string message)
    {
        var candidates = 0;
        for (var at = message.LastIndexOf('@'); at >= 0 && candidates < MaxCandidates; at = at == 0 ? -1 : message.LastIndexOf('@', at - 1))
        {
            candidates++;
            if (TryRead(message, at) is { } tag)
            {
                return tag;
            }
        }

        return null;
    }

    /// <summary>The path runs to the first <c>:</c> followed by digits whose file name has a source extension; no quotes or line breaks.</summary>
    private static SourceTag? TryRead(string message, int at)
    {
        var pathStart = at + 1;
        while (pathStart < message.Length && message[pathStart] == ' ')
        {
            pathStart++;
        }

        var nameStart = pathStart;
        var end = (int)Math.Min(message.Length, (long)pathStart + MaxPathLength + 1);
        for (var i = pathStart; i < end; i++)
        {
            switch (message[i])
            {
                case '"' or '\n' or '\'':
                    return null;
                case '/':
                    nameStart = i + 1;
                    break;
                case ':' when i == pathStart:
                    return null; // an empty path: no later colon can start this tag either
                case ':':
                    var digitsEnd = i + 1;
                    while (digitsEnd < message.Length && char.IsAsciiDigit(message[digitsEnd]))
                    {
                        digitsEnd++;
                    }

                    if (digitsEnd > i + 1 && HasSourceExtension(message.AsSpan(nameStart, i - nameStart)))
                    {
                        return Tag(message, at, message.AsSpan(nameStart, i - nameStart), message.AsSpan(i + 1, digitsEnd - i - 1));
                    }

                    break;
            }
        }

        return null;
    }

    private static SourceTag Tag(string message, int at, ReadOnlySpan<char> name, ReadOnlySpan<char> digits)
    {
        int? line = int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
        var start = at;
        while (start > 0 && message[start - 1] == ' ')
        {
            start--;
        }

        if (start > 0 && message[start - 1] is '"' or '\'')
        {
            start--;
        }

        return new SourceTag(start, MessageClassifier.BaseName(name.ToString()), line);
    }

    /// <summary>The name with spaces removed ends in a source extension and has something before it; reads only its tail.</summary>
    private static bool HasSourceExtension(ReadOnlySpan<char> name)
    {
        Span<char> tail = stackalloc char[NameTailLength];
        var length = 0;
        for (var i = name.Length - 1; i >= 0 && length < NameTailLength; i--)
        {
            if (name[i] != ' ')
            {
                tail[NameTailLength - 1 - length++] = name[i];
            }
        }

        var kept = tail[(NameTailLength - length)..];
        foreach (var extension in Extensions)
        {
            if (kept.Length > extension.Length && kept.EndsWith(extension, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
