namespace KDumpCloud.Kdump.Transfers;

/// <summary>What one transfer saw, for its closing log line and its journal.</summary>
public sealed class TransferCounters
{
    public long DataPackets { get; internal set; }
    public long PayloadBytes { get; internal set; }
    public long Seeks { get; internal set; }
    public long Duplicates { get; internal set; }
    public long Ignored { get; internal set; }
    public long AckRetransmissions { get; internal set; }
    public long EofRetransmissions { get; internal set; }

    /// <summary>Bytes cut from datagrams longer than the receive cap (the paniclog fill on full packets, §8.3).</summary>
    public long TruncatedBytes { get; internal set; }
}
