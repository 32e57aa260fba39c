using BenchmarkDotNet.Attributes;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;

namespace KDumpCloud.Benchmarks.Panics;

/// <summary>
/// Decoding plus fingerprinting of real panic logs on one core (issue 3 target: at least 20,000 corpus-sized logs
/// per second). One operation is one log: each invocation decodes every corpus file once and the time is divided
/// by the file count, so the mean is the cost of an average corpus log.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PanicDecodeBenchmarks
{
    // The corpus has 55 files; OperationsPerInvoke must be a constant, so the setup checks it still matches.
    private const int CorpusFiles = 55;
    private byte[][] _logs = [];
    private byte[] _largest = [];

    [GlobalSetup]
    public void Setup()
    {
        _logs = CorpusLogs.ReadAll();
        if (_logs.Length != CorpusFiles)
        {
            throw new InvalidOperationException($"corpus has {_logs.Length} files; update CorpusFiles so per-log figures stay right");
        }

        _largest = _logs.MaxBy(l => l.Length)!;
        Console.WriteLine($"// corpus: {_logs.Length} logs, {_logs.Sum(l => (long)l.Length)} bytes, mean {_logs.Average(l => l.Length):F0} bytes, largest {_largest.Length}");
    }

    /// <summary>
    /// The build machine is shared, so wall-clock means above include time spent waiting for a core. This prints
    /// the process CPU time per log over a fixed number of passes, which is what "on one core" asks about.
    /// </summary>
    [GlobalCleanup(Target = nameof(DecodeAndFingerprintCorpus))]
    public void ReportCpuTimePerLog()
    {
        const int passes = 200;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < passes; i++)
        {
            DecodeAndFingerprintCorpus();
        }

        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var logs = passes * _logs.Length;
        Console.WriteLine($"// cpu-time: {logs} logs, {cpu.TotalMicroseconds / logs:F2} us CPU/log ({logs / cpu.TotalSeconds:F0} logs per CPU-second), {wall.Elapsed.TotalMicroseconds / logs:F2} us wall/log");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CorpusFiles, Description = "decode + fingerprint, per corpus log")]
    public int DecodeAndFingerprintCorpus()
    {
        var total = 0;
        foreach (var log in _logs)
        {
            total += Fingerprinter.Compute(PanicDecoder.Decode(log)).Signature.Length;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = CorpusFiles, Description = "decode only, per corpus log")]
    public int DecodeCorpus()
    {
        var total = 0;
        foreach (var log in _logs)
        {
            total += PanicDecoder.Decode(log).Frames.Count;
        }

        return total;
    }

    [Benchmark(Description = "decode + fingerprint, largest corpus log")]
    public string DecodeAndFingerprintLargest() => Fingerprinter.Compute(PanicDecoder.Decode(_largest)).Hash;
}
