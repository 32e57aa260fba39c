using KDumpCloud.Panics.Cores;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Decodes whatever a file or stream holds: a core (gzip or Mach-O, streamed), or a panic log / JSON panic file / kdumpd
/// paniclog read whole up to <see cref="PanicDecoderOptions.MaxTextBytes"/>. One decode reads and spends no more than its
/// <see cref="PanicDecoderOptions"/> allow; reaching a bound gives the result so far with a warning. I/O errors are the
/// caller's to report, as is the caller's own cancellation (<see cref="OperationCanceledException"/>); content never throws.
/// </summary>
public static class PanicFileDecoder
{
    /// <summary>Panic logs are kilobytes; anything larger that is not a core is read only this far (the default of <see cref="PanicDecoderOptions.MaxTextBytes"/>).</summary>
    public const int MaxTextBytes = 2 * 1024 * 1024;

    private const int HeadLength = 4;
    private const int TextChunk = 64 * 1024;

    public static PanicReport Decode(string path, PanicDecoderOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return Decode(stream, options);
    }

    public static PanicReport Decode(Stream stream, PanicDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var budget = new DecodeBudget(options, CancellationToken.None);
        var input = new BudgetedStream(stream, budget);
        var head = new byte[HeadLength];
        var headLength = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        using var prefixed = new PrefixedStream(head.AsMemory(0, headLength), input);
        if (CoreReader.LooksLikeCore(head.AsSpan(0, headLength)))
        {
            return FromCore(CoreReader.Extract(prefixed, budget, stopWhenFound: true));
        }

        using var text = new MemoryStream();
        var chunk = new byte[TextChunk];
        int read;
        while (text.Length < budget.Options.MaxTextBytes && (read = prefixed.Read(chunk, 0, NextTextRead(text, budget))) > 0)
        {
            text.Write(chunk, 0, read);
        }

        return FromText(text, budget);
    }

    /// <summary>
    /// Decodes a file for a caller that must not block a thread on I/O (the ingest worker); see
    /// <see cref="DecodeAsync(Stream, PanicDecoderOptions?, CancellationToken)"/>.
    /// </summary>
    public static async Task<PanicReport> DecodeAsync(string path, PanicDecoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            return await DecodeAsync(stream, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Decodes a stream (a Blob download, a request body) reading only asynchronously, within the bytes and time of
    /// <paramref name="options"/>: a read that stalls past <see cref="PanicDecoderOptions.MaxDuration"/> is cancelled and
    /// the result says so. Decoding the text once read is synchronous, linear in at most
    /// <see cref="PanicDecoderOptions.MaxTextBytes"/>. Cancelling <paramref name="cancellationToken"/> throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<PanicReport> DecodeAsync(Stream stream, PanicDecoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var budget = new DecodeBudget(options, cancellationToken);
        var input = new BudgetedStream(stream, budget);
        var head = new byte[HeadLength];
        using var text = new MemoryStream();
        try
        {
            var headLength = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, budget.ReadCancellation).ConfigureAwait(false);
            using var prefixed = new PrefixedStream(head.AsMemory(0, headLength), input);
            if (CoreReader.LooksLikeCore(head.AsSpan(0, headLength)))
            {
                return FromCore(await CoreReader.ExtractAsync(prefixed, budget, stopWhenFound: true).ConfigureAwait(false));
            }

            var chunk = new byte[TextChunk];
            int read;
            while (text.Length < budget.Options.MaxTextBytes
                && (read = await prefixed.ReadAsync(chunk.AsMemory(0, NextTextRead(text, budget)), budget.ReadCancellation).ConfigureAwait(false)) > 0)
            {
                text.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException e) when (budget.IsDeadline(e))
        {
            // A read stalled past the deadline: decode what arrived; the budget's warning says why it is short.
        }

        return FromText(text, budget);
    }

    private static int NextTextRead(MemoryStream text, DecodeBudget budget) => (int)Math.Min(TextChunk, budget.Options.MaxTextBytes - text.Length);

    private static PanicReport FromCore(CoreExtraction extraction) =>
        PanicDecoder.Decode(extraction.PanicText ?? string.Empty, extraction.Container, [.. extraction.Warnings], extraction.KernelVersion);

    private static PanicReport FromText(MemoryStream text, DecodeBudget budget)
    {
        var report = PanicDecoder.Decode(text.GetBuffer().AsSpan(0, (int)text.Length));
        List<string> extra = [];
        if (text.Length >= budget.Options.MaxTextBytes)
        {
            extra.Add($"only the first {budget.Options.MaxTextBytes} bytes were read (MaxTextBytes)");
        }

        if (budget.Spent is { } spent)
        {
            extra.Add(spent);
        }

        return extra.Count == 0 ? report : report with { Warnings = [.. report.Warnings, .. extra] };
    }
}
