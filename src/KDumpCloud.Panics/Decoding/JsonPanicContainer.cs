using System.Text;
using System.Text.Json;

namespace KDumpCloud.Panics.Decoding;

/// <summary>What a two-document JSON <c>.panic</c>/<c>.ips</c> file contributes besides the panic text.</summary>
internal sealed record JsonPanicFields(string PanicText)
{
    public string? Product { get; init; }
    public string? OsBuild { get; init; }
    public string? KernelVersion { get; init; }

    /// <summary>The text is the tail of a string value whose head was cut off.</summary>
    public bool IsFragment { get; init; }
}

/// <summary>
/// Reads JSON panic files (panic-formats.md section 4): line 1 is a header object, the rest a body object
/// whose <c>panicString</c> (Apple silicon, bridgeOS) or <c>macOSPanicString</c> (Intel) holds the text body.
/// Pasted copies are often broken (hard wraps inside strings, fragments, OCR), so a strict parse is tried
/// first and a lenient key scan second. Never throws.
/// </summary>
internal static class JsonPanicContainer
{
    private static readonly string[] LenientKeys = ["panicString", "macOSPanicString", "product", "build", "kernel", "os_version", "bug_type"];

    public static bool LooksLikeJson(string text)
    {
        var start = text.AsSpan().TrimStart();
        return (start.StartsWith('{') && start.Contains("\"bug_type\"", StringComparison.Ordinal))
            || text.Contains("\"panicString\"", StringComparison.Ordinal)
            || text.Contains("\"macOSPanicString\"", StringComparison.Ordinal);
    }

    public static JsonPanicFields? TryExtract(string text, List<string> warnings)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TryStrict(text, values))
        {
            warnings.Add("JSON is not well-formed; panic text recovered by a lenient scan");
            foreach (var key in LenientKeys)
            {
                if (LenientValue(text, key) is { } value)
                {
                    values[key] = value;
                }
            }
        }

        if (values.TryGetValue("bug_type", out var bugType) && bugType != "210")
        {
            warnings.Add($"bug_type {bugType} is not a kernel panic (210)");
        }

        var isFragment = false;
        var panicText = ChoosePanicText(values, warnings);
        if (panicText is null && LeadingStringFragment(text, warnings) is { } fragment)
        {
            panicText = fragment;
            isFragment = true;
        }

        panicText ??= values.GetValueOrDefault("macOSPanicString");
        if (panicText is null)
        {
            return null;
        }

        return new JsonPanicFields(panicText)
        {
            IsFragment = isFragment,
            Product = values.GetValueOrDefault("product"),
            OsBuild = BuildInParentheses(values.GetValueOrDefault("build")) ?? BuildInParentheses(values.GetValueOrDefault("os_version")),
            KernelVersion = values.GetValueOrDefault("kernel"),
        };
    }

    private static string? ChoosePanicText(Dictionary<string, string> values, List<string> warnings)
    {
        values.TryGetValue("macOSPanicString", out var intel);
        values.TryGetValue("panicString", out var arm);
        var intelIsBody = intel is not null && (intel.Contains("panic(", StringComparison.Ordinal) || intel.Contains("Backtrace", StringComparison.Ordinal));
        if (intelIsBody)
        {
            return intel;
        }

        if (intel is not null)
        {
            warnings.Add($"macOSPanicString holds no log (\"{Shorten(intel)}\")");
        }

        return arm;
    }

    private static bool TryStrict(string text, Dictionary<string, string> values)
    {
        // Pasted fragments and OCR'd copies are the common case; don't pay for a parse exception on what cannot parse.
        var trimmed = text.AsSpan().Trim();
        if (!trimmed.StartsWith('{') || !trimmed.EndsWith('}'))
        {
            return false;
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var header = newline < 0 ? text : text[..newline];
        var body = newline < 0 ? string.Empty : text[(newline + 1)..];
        try
        {
            var parsedAny = false;
            foreach (var part in (string[])[header, body])
            {
                if (part.AsSpan().Trim().IsEmpty)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(part);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        values[property.Name] = property.Value.GetString() ?? string.Empty;
                    }
                }

                parsedAny = true;
            }

            return parsedAny && (values.ContainsKey("panicString") || values.ContainsKey("macOSPanicString"));
        }
        catch (JsonException)
        {
            values.Clear();
            return false;
        }
    }

    /// <summary>Finds <c>"key" : "value"</c> and unescapes the value, dropping raw line breaks (paste wraps).</summary>
    private static string? LenientValue(string text, string key)
    {
        var keyAt = text.IndexOf("\"" + key + "\"", StringComparison.Ordinal);
        if (keyAt < 0)
        {
            return null;
        }

        var i = keyAt + key.Length + 2;
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ':'))
        {
            i++;
        }

        if (i >= text.Length || !IsQuote(text[i]))
        {
            return null;
        }

        return Unescape(text.AsSpan(i + 1), out _);
    }

    /// <summary>A fragment that starts inside a string value ends at the first <c>",</c> followed by a key.</summary>
    private static string? LeadingStringFragment(string text, List<string> warnings)
    {
        var value = Unescape(text, out var closed);
        if (!closed || value.Length == 0)
        {
            return null;
        }

        warnings.Add("JSON fragment starts inside a string value; its head is missing");
        return value;
    }

    private static string Unescape(ReadOnlySpan<char> source, out bool closed)
    {
        var builder = new StringBuilder(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '\\' && i + 1 < source.Length)
            {
                i++;
                switch (source[i])
                {
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case 'b' or 'f': break;
                    case 'u' when i + 4 < source.Length && Hex.TryParse(source.Slice(i + 1, 4), out var code):
                        builder.Append((char)code);
                        i += 4;
                        break;
                    default: builder.Append(source[i]); break;
                }
            }
            else if (IsQuote(c))
            {
                closed = true;
                return builder.ToString();
            }
            else if (c is not '\r' and not '\n')
            {
                builder.Append(c);
            }
        }

        closed = false;
        return builder.ToString();
    }

    private static bool IsQuote(char c) => c is '"' or '\u201c' or '\u201d';

    private static string? BuildInParentheses(string? version)
    {
        if (version is null)
        {
            return null;
        }

        var open = version.LastIndexOf('(');
        var close = version.LastIndexOf(')');
        return open >= 0 && close > open + 1 ? version[(open + 1)..close].Trim() : null;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";
}
