using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Benchmarks.Relay;

/// <summary>
/// Starting a transfer through the real relay: WRQ → ACK 0 (name checks, file created exclusively, first journal
/// written, socket bound and connected). The second benchmark adds EOF → final ACK (fsync of the file and a
/// durable journal), the cost a Mac sees at the end of every dump.
/// </summary>
[MemoryDiagnoser]
// Each transfer lingers 50 s after EOF (to answer a lost final ACK), so the invocation count is bounded.
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 96)]
public class WriteRequestBenchmarks
{
    private readonly byte[] _reply = new byte[64];
    private readonly byte[] _eof = [0, (byte)KdumpOpcode.Eof, 0, 0, 0, 1];
    private InProcessRelay _relay = null!;
    private int _next;

    [GlobalSetup]
    public void Setup() => _relay = new InProcessRelay();

    [Benchmark(Baseline = true, Description = "WRQ → ACK 0")]
    public int RequestOnly()
    {
        // Left open: the relay ends these at its 50 s silence limit or when the benchmark stops it.
        using Socket transfer = _relay.OpenTransfer($"core-open-{_next++}");
        return transfer.Available;
    }

    [Benchmark(Description = "WRQ → ACK 0, then EOF → final ACK")]
    public int RequestThenEof()
    {
        using Socket transfer = _relay.OpenTransfer($"core-wrq-{_next++}");
        transfer.Send(_eof);
        return transfer.Receive(_reply);
    }

    [GlobalCleanup]
    public void Cleanup() => _relay.Dispose();
}
