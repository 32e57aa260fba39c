using System.Text.Encodings.Web;
using System.Text.Json;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Json;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Output;

/// <summary>Writes one decoded file as one JSON Lines record (no line breaks inside: the serializer escapes them).</summary>
public static class PanicJsonLines
{
    // Output goes to terminals, files and log pipelines, never into HTML: keep quotes and '<' readable.
    private static readonly PanicJsonContext Context = new(new JsonSerializerOptions(PanicJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Format(string file, PanicReport report, CrashFingerprint fingerprint) =>
        JsonSerializer.Serialize(PanicReportDocument.From(file, report, fingerprint), Context.PanicReportDocument);

    public static void Write(TextWriter writer, string file, PanicReport report, CrashFingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Format(file, report, fingerprint));
        writer.Write('\n');
    }
}
