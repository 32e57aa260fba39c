using System.Text;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Decodes a macOS panic in any format of panic-formats.md into a <see cref="PanicReport"/>.
/// Input is untrusted: nothing here throws for any input; what is missing or doubtful goes into warnings.
/// </summary>
public static class PanicDecoder
{
    /// <summary>Decodes raw bytes: a kdumpd <c>paniclog-…</c> file, a text log or a JSON <c>.panic</c>/<c>.ips</c>.</summary>
    public static PanicReport Decode(ReadOnlySpan<byte> bytes)
    {
        var warnings = new List<string>();
        var container = PanicContainer.Text;
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            // The kernel's panic buffer is written whole; kdumpd keeps the NUL/0xFF fill after the text (section 0).
            warnings.Add($"text ends at byte {nul}; {bytes.Length - nul} bytes of fill removed");
            bytes = bytes[..nul];
            container = PanicContainer.KdumpPanicLog;
        }

        var trimmed = bytes.TrimEnd((byte)0xff);
        if (trimmed.Length != bytes.Length)
        {
            warnings.Add($"{bytes.Length - trimmed.Length} bytes of 0xFF fill removed");
            container = PanicContainer.KdumpPanicLog;
        }

        return Decode(Encoding.UTF8.GetString(trimmed), container, warnings);
    }

    /// <summary>Decodes text: a log, a pasted excerpt or the contents of a JSON panic file.</summary>
    public static PanicReport Decode(string text) => Decode(text, PanicContainer.Text, []);

    /// <summary>Decodes text kept from an earlier decode (<see cref="PanicReport.SourceText"/>), with the kernel version
    /// the dump gave then (a core's own version note), for a text that does not carry it.</summary>
    public static PanicReport Decode(string text, string? kernelVersionHint) => Decode(text, PanicContainer.Text, [], kernelVersionHint);

    internal static PanicReport Decode(string text, PanicContainer container, List<string> warnings, string? kernelVersionHint = null)
    {
        try
        {
            return DecodeCore(text ?? string.Empty, container, warnings, kernelVersionHint) with { SourceText = text };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // A decoder bug must not take the caller down with a hostile log; report it instead.
            warnings.Add($"decoder failed ({e.GetType().Name}: {e.Message}); result is incomplete");
            return new PanicReport { Container = container, Format = "unknown", Kind = PanicKind.Unknown, Warnings = warnings, SourceText = text };
        }
    }

    private static PanicReport DecodeCore(string text, PanicContainer container, List<string> warnings, string? kernelVersionHint)
    {
        JsonPanicFields? json = null;
        if (JsonPanicContainer.LooksLikeJson(text) && JsonPanicContainer.TryExtract(text, warnings) is { } fields)
        {
            json = fields;
            text = fields.PanicText;
            container = container == PanicContainer.Text ? PanicContainer.JsonPanic : container;
        }

        var lines = InputCleaner.CleanLines(text, warnings);
        var parsed = PanicTextParser.Parse(lines);
        if (parsed.PanicLine is null && json is { IsFragment: false })
        {
            UseFirstLineAsMessage(lines, parsed, warnings);
        }

        if (parsed.PanicLine is null)
        {
            UseSleepWakeFailure(lines, parsed, warnings);
        }

        return PanicReportAssembler.Assemble(parsed, json, container, warnings, kernelVersionHint);
    }

    private const string SleepWakeFailure = "Sleep Wake failure in EFI";
    private const string FailureCode = "Failure code::";
    private const int SleepWakeHeaderLines = 8;

    /// <summary>
    /// A sleep/wake failure report (swd, 10.13 and later: "Sleep Wake failure in EFI", then "Failure code:: A B", then
    /// a stackshot to ignore) has no <c>panic(</c> line; its heading and failure code are its message.
    /// </summary>
    private static void UseSleepWakeFailure(List<string> lines, ParsedPanicText parsed, List<string> warnings)
    {
        var heading = -1;
        for (var i = 0; i < lines.Count && i < SleepWakeHeaderLines && heading < 0; i++)
        {
            heading = lines[i].Contains(SleepWakeFailure, StringComparison.OrdinalIgnoreCase) ? i : -1;
        }

        if (heading < 0)
        {
            return;
        }

        var message = SleepWakeFailure;
        for (var i = heading; i < lines.Count && i < heading + SleepWakeHeaderLines; i++)
        {
            var at = lines[i].IndexOf(FailureCode, StringComparison.Ordinal);
            if (at >= 0)
            {
                message += ", failure code " + MessageClassifier.Flatten(lines[i][(at + FailureCode.Length)..].Trim());
                break;
            }
        }

        parsed.PanicLine = new PanicLine(heading, null, null, message, heading);
        warnings.Add("sleep/wake failure report (no panic( line): its heading and failure code are taken as the message");
    }

    /// <summary>bridgeOS writes some reasons with no <c>panic(</c> prefix at all (section 3, [034]): the whole string is the message.</summary>
    private static void UseFirstLineAsMessage(List<string> lines, ParsedPanicText parsed, List<string> warnings)
    {
        var first = lines.FindIndex(l => l.Length > 0);
        if (first >= 0 && !PanicMessageReader.IsStructural(lines[first]))
        {
            parsed.PanicLine = new PanicLine(first, null, null, lines[first], first);
            warnings.Add("panic string has no panic( prefix; its first line is taken as the message");
        }
    }
}
