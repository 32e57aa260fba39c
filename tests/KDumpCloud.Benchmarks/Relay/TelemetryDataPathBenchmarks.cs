using System.Buffers.Binary;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Benchmarks.Relay;

/// <summary>
/// The DATA hot path (<see cref="DataPathBenchmarks.DataRoundTrip"/>) with OpenTelemetry off and on: on registers the
/// SDK as the relay does when configured (KDumpCloud.* sources sampled always, KDumpCloud.* meters), with in-memory
/// exporters, so the transfer runs under its recorded receive span and every instrument has a listener. The
/// MemoryDiagnoser counts the whole process: "-" means no allocation per packet with telemetry on either.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class TelemetryDataPathBenchmarks
{
    private readonly byte[] _datagram = new byte[KdumpWire.HeaderSize + KdumpWire.LargeDataSize];
    private readonly byte[] _ack = new byte[64];
    private InProcessRelay _relay = null!;
    private Socket _transfer = null!;
    private uint _block;

    [Params(false, true)]
    public bool Telemetry { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_datagram);
        BinaryPrimitives.WriteUInt16BigEndian(_datagram, (ushort)KdumpOpcode.Data);
        _relay = new InProcessRelay(Telemetry);
        _transfer = _relay.OpenTransfer("core-telemetry-benchmark");
        if (Telemetry && (_relay.TraceParentOf("core-telemetry-benchmark") is not { } traceParent || !traceParent.EndsWith("-01", StringComparison.Ordinal)
            || !_relay.HasMeterProvider))
        {
            throw new InvalidOperationException("the transfer runs without a recorded receive span or meter provider: telemetry is not on");
        }
    }

    [Benchmark(Description = "DATA 1406 B → relay → ACK, loopback")]
    public int DataRoundTrip()
    {
        BinaryPrimitives.WriteUInt32BigEndian(_datagram.AsSpan(KdumpWire.BlockOffset), ++_block);
        _transfer.Send(_datagram);
        return _transfer.Receive(_ack);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _transfer.Dispose();
        _relay.Dispose();
    }
}
