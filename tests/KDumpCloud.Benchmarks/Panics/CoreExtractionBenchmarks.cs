using BenchmarkDotNet.Attributes;
using KDumpCloud.Panics.Cores;

namespace KDumpCloud.Benchmarks.Panics;

/// <summary>
/// Panic-text extraction from a gzip core read end to end (issue 3 target: at least 200 MB/s of compressed input,
/// memory flat whatever the core's size). Two core sizes; compare Allocated between them for flatness and
/// divide the compressed size printed by the setup by the mean for MB/s.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class CoreExtractionBenchmarks
{
    private byte[] _gzipCore = [];

    [Params(16, 128)]
    public int CoreMegabytes { get; set; }

    /// <summary>With xnu's "kern ver str" LC_NOTE the version comes from the header and only the panic marker is scanned for.</summary>
    [Params(false, true)]
    public bool VersionNote { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A real x86_64 panic body, as the kernel leaves it in memory (from its panic( line on).
        var panic = File.ReadAllText(Directory.EnumerateFiles(CorpusLogs.Directory(), "001-*").First());
        panic = panic[panic.IndexOf("panic(", StringComparison.Ordinal)..];
        _gzipCore = SyntheticCore.Gzipped(CoreMegabytes << 20, panic, VersionNote);
        Console.WriteLine($"// core: {CoreMegabytes} MiB raw, {_gzipCore.Length} bytes gzip ({(double)(CoreMegabytes << 20) / _gzipCore.Length:F2}:1)");
    }

    /// <summary>Inflating the same stream and discarding it: the floor that zlib sets on this machine.</summary>
    [Benchmark(Baseline = true, Description = "gzip inflate only (floor)")]
    public long InflateOnly()
    {
        using var stream = new MemoryStream(_gzipCore, writable: false);
        using var gzip = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = gzip.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Description = "extract panic text from gzip core")]
    public int ExtractFromGzipCore()
    {
        using var stream = new MemoryStream(_gzipCore, writable: false);
        var extraction = CoreReader.Extract(stream);
        return extraction is { PanicText: { } text, KernelVersion: not null } ? text.Length : throw new InvalidOperationException("panic text or version not found");
    }
}
