using System.Buffers;
using System.Text;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Expands the abbreviated bundle ids that 10.15+ Intel kernels print in "loaded kexts" and
/// "last loaded/started kext" (panic-formats.md 2.6, last note): a leading <c>&gt;</c>, <c>|</c>, <c>$</c> or <c>@</c>
/// stands for a com.apple prefix and <c>!X</c> for a common word, in third-party ids too.
/// </summary>
internal static class KextNames
{
    private static readonly SearchValues<char> AbbreviationMarks = SearchValues.Create(">|$@!");

    public static string Expand(string id)
    {
        if (id.AsSpan().IndexOfAny(AbbreviationMarks) < 0)
        {
            return id;
        }

        var builder = new StringBuilder(id.Length + 24);
        var rest = id.AsSpan();
        var prefix = rest[0] switch
        {
            '>' => "com.apple.driver.",
            '|' => "com.apple.iokit.",
            '$' => "com.apple.security.",
            '@' => "com.apple.",
            _ => null,
        };
        if (prefix is not null)
        {
            builder.Append(prefix);
            rest = rest[1..];
        }

        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == '!' && i + 1 < rest.Length)
            {
                var word = rest[i + 1] switch
                {
                    'A' => "Apple",
                    'U' => "AppleUSB",
                    'I' => "Intel",
                    'F' => "Family",
                    'C' => "Controller",
                    'B' => "Bluetooth",
                    'S' => "Storage",
                    _ => null,
                };
                if (word is not null)
                {
                    builder.Append(word);
                    i++;
                    continue;
                }
            }

            builder.Append(rest[i]);
        }

        return builder.ToString();
    }
}
