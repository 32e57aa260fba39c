using System.Globalization;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// The source location a string panic ends with (panic-formats.md 2.2 shapes 2 and 3): <c>"text"@/full/path/file.c:123</c>
/// (10.7-10.15) or <c>text @File.cpp:6090</c> (11+). Pastes may inject spaces into the path (section 6), so spaces
/// are allowed inside it and removed from the file name. Hand-written: the equivalent regex backtracks per character.
/// </summary>
internal readonly record struct SourceTag(int Start, string File, int? Line)
{
    private static readonly string[] Extensions = [".c", ".cc", ".cpp", ".h", ".hpp", ".m", ".mm", ".s", ".swift", ".c++"];

    public static SourceTag? Find(string message)
    {
        for (var at = message.LastIndexOf('@'); at >= 0; at = at == 0 ? -1 : message.LastIndexOf('@', at - 1))
        {
            if (TryRead(message, at) is { } tag)
            {
                return tag;
            }
        }

        return null;
    }

    private static SourceTag? TryRead(string message, int at)
    {
        var pathStart = at + 1;
        while (pathStart < message.Length && message[pathStart] == ' ')
        {
            pathStart++;
        }

        // The path runs to the first ':' followed by digits; it may not contain quotes or line breaks.
        for (var colon = message.IndexOf(':', pathStart); colon > pathStart; colon = message.IndexOf(':', colon + 1))
        {
            var path = message.AsSpan(pathStart, colon - pathStart);
            if (path.IndexOfAny('"', '\n', '\'') >= 0)
            {
                return null;
            }

            var digitsEnd = colon + 1;
            while (digitsEnd < message.Length && char.IsAsciiDigit(message[digitsEnd]))
            {
                digitsEnd++;
            }

            if (digitsEnd == colon + 1)
            {
                continue;
            }

            var file = MessageClassifier.BaseName(path.ToString());
            if (!HasSourceExtension(file))
            {
                continue;
            }

            int? line = int.TryParse(message.AsSpan(colon + 1, digitsEnd - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
            var start = at;
            while (start > 0 && message[start - 1] == ' ')
            {
                start--;
            }

            if (start > 0 && message[start - 1] is '"' or '\'')
            {
                start--;
            }

            return new SourceTag(start, file, line);
        }

        return null;
    }

    private static bool HasSourceExtension(string file)
    {
        foreach (var extension in Extensions)
        {
            if (file.Length > extension.Length && file.EndsWith(extension, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
