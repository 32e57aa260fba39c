namespace KDumpCloud.Kdump.Transfers;

/// <summary>The server's timers (kdump-protocol.md §11.2), as kdumpd 396.6 and later use them.</summary>
public static class KdumpTimings
{
    /// <summary>Resend the last ACK after this much silence (kdumpd TIMEOUT 2).</summary>
    public static readonly TimeSpan AckRetransmitInterval = TimeSpan.FromSeconds(2);

    /// <summary>Give up on a transfer after this much silence (25 × 2 s).</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(50);

    /// <summary>
    /// How long a finished transfer stays to answer a retransmitted EOF. kdumpd lingers 2 s and never answers
    /// (§8.2); the kernel retransmits for up to ~48 s (§11.1), so we stay that long.
    /// </summary>
    public static readonly TimeSpan FinishedLinger = TimeSpan.FromSeconds(50);
}
