using System.Buffers.Binary;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Kdump.Transfers;

namespace KDumpCloud.Benchmarks.Relay;

/// <summary>
/// The DATA hot path. <see cref="DataRoundTrip"/> is one 1406-byte DATA through the real relay over loopback and
/// its ACK back: receive loop, state machine, positional write, SHA-256, ACK send. MemoryDiagnoser counts the
/// whole process's allocations, so "-" there means the relay's steady state allocates nothing.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class DataPathBenchmarks
{
    private readonly byte[] _datagram = new byte[KdumpWire.HeaderSize + KdumpWire.LargeDataSize];
    private readonly byte[] _ack = new byte[64];
    private InProcessRelay _relay = null!;
    private Socket _transfer = null!;
    private TransferSession _session = null!;
    private uint _block;
    private uint _sessionBlock;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_datagram);
        BinaryPrimitives.WriteUInt16BigEndian(_datagram, (ushort)KdumpOpcode.Data);
        _relay = new InProcessRelay();
        _transfer = _relay.OpenTransfer("core-benchmark");
        _session = new TransferSession(new WriteRequest("core-session", "octet", true, 3, 1406), long.MaxValue);
    }

    [Benchmark(Baseline = true, Description = "TransferSession.Handle(DATA), no I/O")]
    public TransferAction SessionOnly()
    {
        BinaryPrimitives.WriteUInt32BigEndian(_datagram.AsSpan(KdumpWire.BlockOffset), ++_sessionBlock);
        return _session.Handle(_datagram).Action;
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
