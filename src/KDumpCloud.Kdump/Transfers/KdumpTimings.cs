namespace KDumpCloud.Kdump.Transfers;

/// <summary>The server's timers (kdump-protocol.md §11.2), as kdumpd 396.6 and later use them.</summary>
public static class KdumpTimings
{
    /// <summary>Resend the last ACK after this much silence (kdumpd TIMEOUT 2).</summary>
    public static readonly TimeSpan AckRetransmitInterval = TimeSpan.FromSeconds(2);

    /// <summary>Give up on a transfer after this much silence (25 × 2 s).</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(50);

    /// <summary>
    /// Give up sooner on a transfer that has heard nothing since its WRQ. The kernel sends its first DATA or SEEK
    /// straight after ACK 0, and without ACK 0 it re-sends its WRQ within 10.5 s (§11.1), which the relay answers
    /// and counts as hearing from it. Silence past this means the Mac is gone (a stale WRQ copy, or a Mac that gave
    /// up while the relay was busy), and holding a transfer slot for 50 s would refuse real Macs meanwhile.
    /// </summary>
    public static readonly TimeSpan FirstDataLimit = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a finished transfer stays to answer a retransmitted EOF. kdumpd lingers 2 s and never answers
    /// (§8.2); the kernel retransmits for up to ~48 s (§11.1), so we stay that long.
    /// </summary>
    public static readonly TimeSpan FinishedLinger = TimeSpan.FromSeconds(50);
}
