namespace KDumpCloud.Kdump.Clients;

/// <summary>How a generation lays out a <c>core-…</c> file on the wire (kdump-protocol.md §7, §8.4).</summary>
public enum CoreFormat
{
    /// <summary>Raw Mach-O <c>MH_CORE</c>, header pieces and regions placed with SEEKs (xnu ≤ 2782).</summary>
    MachOWithSeeks,

    /// <summary>One sequential stream of DATA, gzip unless debug bit 0x40000 (xnu ≥ 3247).</summary>
    Sequential,
}
