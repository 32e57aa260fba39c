namespace KDumpCloud.Kdump.Packets;

/// <summary>Feature bits negotiated by the WRQ's <c>features</c> mask and ACK 0 (kdump-protocol.md §4.1, §4.3).</summary>
[Flags]
public enum KdumpFeatures : byte
{
    None = 0,

    /// <summary>KDP_FEATURE_LARGE_CRASHDUMPS: SEEK offsets are 64-bit.</summary>
    LargeCrashdumps = 1,

    /// <summary>KDP_FEATURE_LARGE_PKT_SIZE: DATA payloads of up to 1406 bytes.</summary>
    LargePackets = 2,

    /// <summary>Every bit a server may accept; unknown mask bits are ignored, as kdumpd does.</summary>
    Known = LargeCrashdumps | LargePackets,
}
