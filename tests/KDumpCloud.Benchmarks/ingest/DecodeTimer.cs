using System.Diagnostics;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>The decode alone, as the ingestor does it (PanicFileDecoder.DecodeAsync on the dump's stream, then the
/// fingerprint), on bytes already in memory: no storage, no recording.</summary>
internal static class DecodeTimer
{
    /// <summary>Mean milliseconds per decode of each distinct content, after one untimed decode of each.</summary>
    public static async Task<Dictionary<string, double>> MeanMillisecondsAsync(IEnumerable<PanicLogBlob> blobs, int repeats)
    {
        var distinct = blobs.DistinctBy(blob => blob.CorpusFile).ToList();
        foreach (var blob in distinct)
        {
            await DecodeAsync(blob.Content);
        }

        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var blob in distinct)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < repeats; i++)
            {
                await DecodeAsync(blob.Content);
            }

            means[blob.CorpusFile] = clock.Elapsed.TotalMilliseconds / repeats;
        }

        return means;
    }

    private static async Task<string> DecodeAsync(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        var report = await PanicFileDecoder.DecodeAsync(stream);
        return Fingerprinter.Compute(report).Hash;
    }
}
