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

    private readonly Queue<Socket> _clients = new();

    /// <summary>Each WRQ comes from a socket of its own (a new Mac), made before the clock starts.</summary>
    [IterationSetup(Target = nameof(RequestOnly))]
    public void CreateClients()
    {
        for (var i = 0; i < 96; i++)
        {
            _clients.Enqueue(InProcessRelay.NewClient());
        }
    }

    [IterationCleanup(Target = nameof(RequestOnly))]
    public void DisposeClients()
    {
        while (_clients.TryDequeue(out var client))
        {
            client.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "WRQ → ACK 0")]
    public int RequestOnly()
    {
        // Left open: the relay ends these at its 50 s silence limit or when the benchmark stops it.
        var client = _clients.Dequeue();
        return _relay.Request(client, $"core-open-{_next++}");
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
