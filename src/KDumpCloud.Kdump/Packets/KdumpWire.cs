namespace KDumpCloud.Kdump.Packets;

/// <summary>Sizes and offsets on the wire (kdump-protocol.md §2, §5).</summary>
public static class KdumpWire
{
    /// <summary>Opcode (2) + block/error code (4). Not TFTP's 4 bytes.</summary>
    public const int HeaderSize = 6;

    public const int OpcodeOffset = 0;
    public const int BlockOffset = 2;
    public const int DataOffset = 6;

    /// <summary>SEGSIZE: DATA payload without the large-packet feature.</summary>
    public const int SmallDataSize = 512;

    /// <summary>KDP_LARGE_CRASHDUMP_PKT_SIZE: 1440 − 6 − 28.</summary>
    public const int LargeDataSize = 1406;

    /// <summary>kdumpd's receive buffer (MAXIMUM_KDP_PKTSIZE); nothing legal is longer.</summary>
    public const int MaxDatagramSize = 16384;

    /// <summary>The default server port (CORE_REMOTE_PORT, DEFAULT_KDUMPD_PORTNO).</summary>
    public const int DefaultPort = 1069;

    /// <summary>How many bytes of a data-phase datagram kdumpd reads: 6 + the negotiated payload size (§5).
    /// Longer datagrams are truncated to this, which is what drops the paniclog fill on full packets (§8.3).</summary>
    public static int ReceiveCap(KdumpFeatures accepted) =>
        HeaderSize + MaxPayload(accepted);

    public static int MaxPayload(KdumpFeatures accepted) =>
        (accepted & KdumpFeatures.LargePackets) != 0 ? LargeDataSize : SmallDataSize;

    /// <summary>Width of a SEEK offset: 8 bytes when large crashdumps were accepted, else 4 (§7).</summary>
    public static int SeekOffsetSize(KdumpFeatures accepted) =>
        (accepted & KdumpFeatures.LargeCrashdumps) != 0 ? 8 : 4;
}
