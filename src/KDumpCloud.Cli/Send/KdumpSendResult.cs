using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Cli.Send;

/// <summary>What one emulated dump did and measured.</summary>
public sealed record KdumpSendResult
{
    public required string FileName { get; init; }

    public required SendOutcome Outcome { get; init; }

    /// <summary>The text of the last ERROR received, if any (kdumpd cuts its last character, §9).</summary>
    public string? ErrorText { get; init; }

    /// <summary>Why the transfer did not complete, for people.</summary>
    public string? Detail { get; init; }

    /// <summary>The features in effect after ACK 0 (§4.3).</summary>
    public KdumpFeatures Features { get; init; }

    /// <summary>The plan that was sent, once ACK 0 arrived; <see cref="KdumpdStoredBytes.Compute"/> gives the file a
    /// correct relay stores for it.</summary>
    public DumpPlan? Plan { get; init; }

    /// <summary>The per-transfer port learnt from the replies (§11.1), 0 if none came.</summary>
    public int ServerTransferPort { get; init; }

    /// <summary>From the first WRQ transmission to the final ACK (or to giving up).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>DATA payload bytes acknowledged (name extras and fill not counted).</summary>
    public long PayloadBytes { get; init; }

    /// <summary>Packets acknowledged, the WRQ included.</summary>
    public long PacketsAcknowledged { get; init; }

    /// <summary>Datagrams the kernel sent, first transmissions and retransmissions (dropped ones included).</summary>
    public long Transmissions { get; init; }

    public long Retransmissions { get; init; }

    public long ErrorReplies { get; init; }

    /// <summary>Replies for block − 1 (the first per packet is ignored, later ones trigger a retransmit).</summary>
    public long PreviousBlockReplies { get; init; }

    /// <summary>Replies that were neither the expected ACK, an ERROR nor block − 1. The kernel takes them as an ACK
    /// (§11.1); a correct relay never sends one.</summary>
    public long UnexpectedReplies { get; init; }

    public long DroppedOutgoing { get; init; }

    public long DroppedIncoming { get; init; }

    public long DuplicatedOutgoing { get; init; }

    /// <summary>WRQ to ACK 0, from the WRQ's last transmission.</summary>
    public TimeSpan WriteRequestRoundTrip { get; init; }

    /// <summary>Data-phase ACK round trips in <see cref="System.Diagnostics.Stopwatch"/> ticks, from each packet's
    /// last transmission to its ACK; one per acknowledged packet.</summary>
    public ReadOnlyMemory<long> AckRoundTripTicks { get; init; }

    /// <summary>Bytes the sending thread allocated from the first DATA/SEEK to the last ACK: 0 when nothing went wrong,
    /// whatever the dump's size, because nothing is allocated per packet.</summary>
    public long DataPhaseAllocatedBytes { get; init; }

    public RoundTripSummary AckRoundTrip => RoundTripSummary.FromStopwatchTicks(AckRoundTripTicks.Span);

    /// <summary>Payload throughput in MB/s (10^6 bytes per second).</summary>
    public double MegabytesPerSecond => Elapsed > TimeSpan.Zero ? PayloadBytes / Elapsed.TotalSeconds / 1e6 : 0;
}
