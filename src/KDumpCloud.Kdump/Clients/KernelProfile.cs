using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// What one kernel generation does on the wire: a row-wise reading of kdump-protocol.md §15.1, with the WRQ
/// layouts of §4.1, the packet sizes of §5 and the trailing-byte quirk of §8.3.
/// </summary>
/// <param name="Generation">The generation described.</param>
/// <param name="Releases">The macOS releases, for people.</param>
/// <param name="KernelVersion">A representative <c>xnu-…</c> version for file names (§14).</param>
/// <param name="AdvertisedFeatures">The WRQ's <c>features</c> mask; <see cref="SendsFeatures"/> says whether the string is sent at all.</param>
/// <param name="SendsFeatures">Whether the WRQ carries <c>features\0</c> + mask (xnu ≥ 1456, §4.1).</param>
/// <param name="WriteRequestLengthOverName">The WRQ's UDP payload length minus strlen(name): 12, 25, 24 or 26 (§4.1).</param>
/// <param name="CoreHeaderSize">sizeof(struct corehdr): 7 up to xnu-1504 (a trailing <c>th_data[1]</c>), then 6 (§2).</param>
/// <param name="NameExtrasCountNul">Whether the paniclog/systemlog name extras are strlen(name)+1 rather than strlen(name)
/// on top of the corehdr's own extra byte (§8.3; only xnu ≥ 2050 counts the NUL).</param>
/// <param name="NameOnLastPacketOnly">xnu-1228 passes the name with the last paniclog packet only (§8.3).</param>
/// <param name="FillByte">What the extra bytes contain: 'Y' (xnu ≥ 1699), 'X' (1504), or null for stale memory before that.</param>
/// <param name="CoreFormat">Mach-O with SEEKs (≤ 10.10) or a sequential stream (10.11+), §8.4.</param>
/// <param name="Is64Bit">Whether the Mach-O header and segment commands are the 64-bit ones.</param>
/// <param name="SplitsLargeBuffers">xnu ≥ 7195 cuts the core into 1406-byte buffers before negotiating, so a refused
/// large-packet feature turns each into DATA of 512, 512 and 382 bytes (§5).</param>
/// <param name="ReadsAckFeatures">Whether the kernel takes ACK 0's high opcode byte as features (xnu ≥ 1456, §4.3);
/// older kernels compare the whole opcode word with 4.</param>
/// <param name="SystemLogSeekOnlyWhenUnaligned">xnu-1504 sends the systemlog's SEEK only when the first part's length
/// is not a multiple of 512 (§8.3).</param>
/// <param name="SupportsSystemLog">systemlog dumps exist from xnu-1456 (§15.1).</param>
/// <param name="SupportsGzip">gzip cores and the <c>.gz</c> suffix exist from xnu-3247 (§14).</param>
public sealed record KernelProfile(
    KernelGeneration Generation,
    string Releases,
    string KernelVersion,
    KdumpFeatures AdvertisedFeatures,
    bool SendsFeatures,
    int WriteRequestLengthOverName,
    int CoreHeaderSize,
    bool NameExtrasCountNul,
    bool NameOnLastPacketOnly,
    byte? FillByte,
    CoreFormat CoreFormat,
    bool Is64Bit,
    bool SplitsLargeBuffers,
    bool ReadsAckFeatures,
    bool SystemLogSeekOnlyWhenUnaligned,
    bool SupportsSystemLog,
    bool SupportsGzip)
{
    /// <summary>The buffer size of the modern output stages (§5).</summary>
    public const int OutputBufferSize = KdumpWire.LargeDataSize;

    private static readonly KernelProfile[] Profiles =
    [
        new(KernelGeneration.Xnu517To1228, "10.3–10.5, i386 10.6", "xnu-1228.15.4",
            KdumpFeatures.None, SendsFeatures: false, WriteRequestLengthOverName: 12, CoreHeaderSize: 7,
            NameExtrasCountNul: false, NameOnLastPacketOnly: true, FillByte: null, CoreFormat.MachOWithSeeks,
            Is64Bit: false, SplitsLargeBuffers: false, ReadsAckFeatures: false,
            SystemLogSeekOnlyWhenUnaligned: false, SupportsSystemLog: false, SupportsGzip: false),
        new(KernelGeneration.Xnu1456To1504, "10.6 (LP64)", "xnu-1504.15.3",
            KdumpFeatures.LargeCrashdumps, SendsFeatures: true, WriteRequestLengthOverName: 25, CoreHeaderSize: 7,
            NameExtrasCountNul: false, NameOnLastPacketOnly: false, FillByte: (byte)'X', CoreFormat.MachOWithSeeks,
            Is64Bit: true, SplitsLargeBuffers: false, ReadsAckFeatures: true,
            SystemLogSeekOnlyWhenUnaligned: true, SupportsSystemLog: true, SupportsGzip: false),
        new(KernelGeneration.Xnu1699, "10.7", "xnu-1699.32.7",
            KdumpFeatures.Known, SendsFeatures: true, WriteRequestLengthOverName: 24, CoreHeaderSize: 6,
            NameExtrasCountNul: false, NameOnLastPacketOnly: false, FillByte: (byte)'Y', CoreFormat.MachOWithSeeks,
            Is64Bit: true, SplitsLargeBuffers: false, ReadsAckFeatures: true,
            SystemLogSeekOnlyWhenUnaligned: false, SupportsSystemLog: true, SupportsGzip: false),
        new(KernelGeneration.Xnu2050To2782, "10.8–10.10", "xnu-2782.40.9",
            KdumpFeatures.Known, SendsFeatures: true, WriteRequestLengthOverName: 26, CoreHeaderSize: 6,
            NameExtrasCountNul: true, NameOnLastPacketOnly: false, FillByte: (byte)'Y', CoreFormat.MachOWithSeeks,
            Is64Bit: true, SplitsLargeBuffers: false, ReadsAckFeatures: true,
            SystemLogSeekOnlyWhenUnaligned: false, SupportsSystemLog: true, SupportsGzip: false),
        new(KernelGeneration.Xnu3247To6153, "10.11–10.15", "xnu-6153.141.1",
            KdumpFeatures.Known, SendsFeatures: true, WriteRequestLengthOverName: 26, CoreHeaderSize: 6,
            NameExtrasCountNul: true, NameOnLastPacketOnly: false, FillByte: (byte)'Y', CoreFormat.Sequential,
            Is64Bit: true, SplitsLargeBuffers: false, ReadsAckFeatures: true,
            SystemLogSeekOnlyWhenUnaligned: false, SupportsSystemLog: true, SupportsGzip: true),
        new(KernelGeneration.Xnu7195Plus, "11 and later", "xnu-11417.121.6",
            KdumpFeatures.Known, SendsFeatures: true, WriteRequestLengthOverName: 26, CoreHeaderSize: 6,
            NameExtrasCountNul: true, NameOnLastPacketOnly: false, FillByte: (byte)'Y', CoreFormat.Sequential,
            Is64Bit: true, SplitsLargeBuffers: true, ReadsAckFeatures: true,
            SystemLogSeekOnlyWhenUnaligned: false, SupportsSystemLog: true, SupportsGzip: true),
    ];

    public static IReadOnlyList<KernelProfile> All => Profiles;

    public static KernelProfile For(KernelGeneration generation) =>
        (uint)generation < (uint)Profiles.Length
            ? Profiles[(int)generation]
            : throw new ArgumentOutOfRangeException(nameof(generation), generation, "Unknown kernel generation.");

    /// <summary>The bytes the 7-byte corehdr adds to every DATA, SEEK and EOF (§8.3): 1 up to xnu-1504, else 0.</summary>
    public int CoreHeaderExtraBytes => CoreHeaderSize - KdumpWire.HeaderSize;

    /// <summary>The WRQ's UDP payload length for a name of <paramref name="nameByteCount"/> bytes: n+12, n+25, n+24 or n+26 (§4.1).</summary>
    public int WriteRequestLength(int nameByteCount) => nameByteCount + WriteRequestLengthOverName;

    /// <summary>The pktsz field the WRQ advertises (xnu ≥ 1699; capped at 1406 from xnu-7195; ignored by every kdumpd).</summary>
    public uint AdvertisedPacketSize => KdumpWire.LargeDataSize;

    /// <summary>What the kernel uses of the server's ACK 0 feature byte: only the bits it asked for (§4.3).</summary>
    public KdumpFeatures EffectiveFeatures(KdumpFeatures acknowledged) =>
        ReadsAckFeatures ? acknowledged & AdvertisedFeatures : KdumpFeatures.None;

    /// <summary>
    /// The bytes after a DATA payload (§8.3, §15.1 "Extra bytes after DATA payload"): the corehdr's extra byte, plus
    /// for paniclog and systemlog the name (strlen, +1 from xnu-2050; on the last packet only in xnu-1228).
    /// </summary>
    public int DataExtraBytes(DumpKind kind, int nameByteCount, bool isLastPacket)
    {
        if (kind == DumpKind.Core || (NameOnLastPacketOnly && !isLastPacket))
        {
            return CoreHeaderExtraBytes;
        }

        return CoreHeaderExtraBytes + nameByteCount + (NameExtrasCountNul ? 1 : 0);
    }
}
