using KDumpCloud.Panics.Cores;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Decodes whatever a file holds: a core (gzip or Mach-O, streamed), or a panic log / JSON panic file / kdumpd
/// paniclog read whole up to <see cref="MaxTextBytes"/>. I/O errors are the caller's to report; content never throws.
/// </summary>
public static class PanicFileDecoder
{
    /// <summary>Panic logs are kilobytes; anything larger that is not a core is read only this far.</summary>
    public const int MaxTextBytes = 8 * 1024 * 1024;

    public static PanicReport Decode(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return Decode(stream);
    }

    public static PanicReport Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[4];
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        using var prefixed = new PrefixedStream(head.AsMemory(0, headLength), stream);
        if (CoreReader.LooksLikeCore(head.AsSpan(0, headLength)))
        {
            var extraction = CoreReader.Extract(prefixed);
            return PanicDecoder.Decode(extraction.PanicText ?? string.Empty, extraction.Container, [.. extraction.Warnings], extraction.KernelVersion);
        }

        using var text = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while (text.Length < MaxTextBytes && (read = prefixed.Read(chunk, 0, (int)Math.Min(chunk.Length, MaxTextBytes - text.Length))) > 0)
        {
            text.Write(chunk, 0, read);
        }

        var report = PanicDecoder.Decode(text.GetBuffer().AsSpan(0, (int)text.Length));
        return text.Length >= MaxTextBytes
            ? report with { Warnings = [.. report.Warnings, $"only the first {MaxTextBytes} bytes were read"] }
            : report;
    }
}
