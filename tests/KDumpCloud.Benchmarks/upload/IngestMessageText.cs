using System.Text;

namespace KDumpCloud.Benchmarks.Upload;

/// <summary>An ingest message as the queue holds it: base64 of UTF-8 JSON (the Functions trigger's default), or
/// plain JSON should the relay ever send it unencoded.</summary>
internal static class IngestMessageText
{
    public static string Decode(string raw)
    {
        var bytes = new byte[raw.Length];
        return Convert.TryFromBase64String(raw, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : raw;
    }

    /// <summary>Whether the message is about this dump (its id appears in it; the JSON shape is the relay's business).</summary>
    public static bool IsAbout(string decoded, string dumpId) =>
        decoded.Contains(dumpId, StringComparison.OrdinalIgnoreCase);
}
