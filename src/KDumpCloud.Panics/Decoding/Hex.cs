using System.Globalization;

namespace KDumpCloud.Panics.Decoding;

/// <summary>Lenient hex and decimal parsing for values copied out of panic logs.</summary>
internal static class Hex
{
    /// <summary>Parses "0x1f", "0X1F" or "1f"; tolerates OCR'd "Ox" and a doubled "0x0x". Stops at the first non-hex character.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ulong value)
    {
        text = text.Trim();
        while (text.Length >= 2 && (text[0] == '0' || text[0] == 'O') && (text[1] == 'x' || text[1] == 'X'))
        {
            text = text[2..];
        }

        var length = 0;
        while (length < text.Length && char.IsAsciiHexDigit(text[length]))
        {
            length++;
        }

        value = 0;
        return length is > 0 and <= 16
            && ulong.TryParse(text[..length], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    public static ulong? Parse(ReadOnlySpan<char> text) => TryParse(text, out var value) ? value : null;

    public static bool TryParseLeadingDecimal(ReadOnlySpan<char> text, out ulong value)
    {
        text = text.TrimStart();
        var length = 0;
        while (length < text.Length && char.IsAsciiDigit(text[length]))
        {
            length++;
        }

        value = 0;
        return length > 0 && ulong.TryParse(text[..length], NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
