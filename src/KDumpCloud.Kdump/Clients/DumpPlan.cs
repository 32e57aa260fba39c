using System.Text;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// The ordered DATA/SEEK/EOF operations a given kernel generation sends for some content once the server has
/// answered its WRQ: what kind of dump, which generation and which features decide the layout. Every plan is laid
/// out so that the file kdumpd would store equals the content (see <see cref="KdumpdStoredBytes"/>), except for
/// the paniclog/systemlog fill of §8.3, which is the point of those plans, and Mach-O cores shorter than one DATA
/// packet on 7-byte-corehdr kernels (<see cref="ReproducesContent"/>).
/// </summary>
public sealed class DumpPlan
{
    private DumpPlan(ReadOnlyMemory<byte> content, DumpKind kind, KernelProfile profile, KdumpFeatures features,
        string fileName, DumpOperation[] operations)
    {
        Content = content;
        Kind = kind;
        Profile = profile;
        Features = features;
        FileName = fileName;
        Operations = operations;
        foreach (var operation in operations)
        {
            if (operation.Kind == DumpOperationKind.Data)
            {
                PayloadBytes += operation.Length;
                DataPackets++;
            }
        }
    }

    public ReadOnlyMemory<byte> Content { get; }

    public DumpKind Kind { get; }

    public KernelProfile Profile { get; }

    public KernelGeneration Generation => Profile.Generation;

    /// <summary>The features in effect: what ACK 0 accepted of what this generation asked for (§4.3).</summary>
    public KdumpFeatures Features { get; }

    public string FileName { get; }

    /// <summary>The data phase in order; operation i travels with block i + 1 (§6).</summary>
    public IReadOnlyList<DumpOperation> Operations { get; }

    /// <summary>The largest DATA payload: 1406 if large packets are in effect, else 512 (§5).</summary>
    public int MaxPayload => KdumpWire.MaxPayload(Features);

    public long PayloadBytes { get; }

    public int DataPackets { get; }

    /// <summary>
    /// Whether this is a core whose file, as kdumpd stores it, equals <see cref="Content"/>. Always, except Mach-O
    /// cores shorter than one packet on xnu ≤ 1504: their only DATA is short, so its extra corehdr byte lands behind
    /// the content (§8.3). Paniclogs and systemlogs keep their fill by design and are never exact.
    /// </summary>
    public bool ReproducesContent => Kind == DumpKind.Core
        && (Profile.CoreFormat == CoreFormat.Sequential || Profile.CoreHeaderExtraBytes == 0
            || Content.Length == 0 || Content.Length >= MaxPayload);

    /// <summary>
    /// Plans a dump. <paramref name="acceptedFeatures"/> is ACK 0's feature byte (the kernel keeps only the bits
    /// it advertised); <paramref name="fileName"/> matters because paniclog and systemlog DATA carry it (§8.3).
    /// </summary>
    /// <exception cref="ArgumentException">A systemlog on a kernel older than xnu-1456, which has none.</exception>
    public static DumpPlan Create(ReadOnlyMemory<byte> content, DumpKind kind, KernelGeneration generation,
        KdumpFeatures acceptedFeatures, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var profile = KernelProfile.For(generation);
        if (kind == DumpKind.SystemLog && !profile.SupportsSystemLog)
        {
            throw new ArgumentException($"{profile.Releases} kernels send no systemlog dumps (kdump-protocol.md §15.1).", nameof(kind));
        }

        var features = profile.EffectiveFeatures(acceptedFeatures);
        var maxPayload = KdumpWire.MaxPayload(features);
        var nameBytes = Encoding.UTF8.GetByteCount(fileName);
        var operations = new List<DumpOperation>(EstimateOperations(content.Length, maxPayload));
        switch (kind)
        {
            case DumpKind.Core when profile.CoreFormat == CoreFormat.MachOWithSeeks:
                MachOCoreLayout.Append(operations, content.Length, maxPayload, profile);
                break;
            case DumpKind.Core:
                AppendSequentialCore(operations, content.Length, maxPayload, profile);
                break;
            case DumpKind.PanicLog:
                AppendNamedData(operations, 0, content.Length, maxPayload, profile, kind, nameBytes);
                break;
            default:
                AppendSystemLog(operations, content.Length, maxPayload, profile, nameBytes);
                break;
        }

        operations.Add(DumpOperation.Eof(profile.CoreHeaderExtraBytes));
        return new DumpPlan(content, kind, profile, features, fileName, [.. operations]);
    }

    /// <summary>
    /// 10.11+ cores: DATA after DATA, no SEEK (§7, §8.4). From xnu-7195 the stream is first cut into 1406-byte
    /// buffers, so without large packets each buffer goes as 512 + 512 + 382 (§5); before that, plain 512s.
    /// </summary>
    private static void AppendSequentialCore(List<DumpOperation> operations, long length, int maxPayload, KernelProfile profile)
    {
        var extra = profile.CoreHeaderExtraBytes;
        var bufferSize = profile.SplitsLargeBuffers ? KernelProfile.OutputBufferSize : maxPayload;
        for (long buffer = 0; buffer < length; buffer += bufferSize)
        {
            var bufferEnd = Math.Min(length, buffer + bufferSize);
            for (var at = buffer; at < bufferEnd; at += maxPayload)
            {
                operations.Add(DumpOperation.Data(at, (int)Math.Min(maxPayload, bufferEnd - at), extra));
            }
        }
    }

    /// <summary>
    /// systemlog (§7): DATA(first part), SEEK(its length) "to remove trailing bytes", DATA(second part). The kernel's
    /// message buffer is a ring, so the split is where it wraps; here it is the middle. xnu-1504 skips the SEEK when
    /// the first part ends on a 512 boundary, where no fill survives.
    /// </summary>
    private static void AppendSystemLog(List<DumpOperation> operations, long length, int maxPayload, KernelProfile profile, int nameBytes)
    {
        var split = length / 2;
        if (split > 0)
        {
            AppendNamedData(operations, 0, split, maxPayload, profile, DumpKind.SystemLog, nameBytes);
            if (!profile.SystemLogSeekOnlyWhenUnaligned || split % KdumpWire.SmallDataSize != 0)
            {
                operations.Add(DumpOperation.Seek(split, profile.CoreHeaderExtraBytes));
            }
        }

        AppendNamedData(operations, split, length, maxPayload, profile, DumpKind.SystemLog, nameBytes);
    }

    /// <summary>paniclog/systemlog DATA: full chunks and a short last one, each with the name extras (§8.3).</summary>
    private static void AppendNamedData(List<DumpOperation> operations, long start, long end, int maxPayload,
        KernelProfile profile, DumpKind kind, int nameBytes)
    {
        for (var at = start; at < end; at += maxPayload)
        {
            var length = (int)Math.Min(maxPayload, end - at);
            var isLast = at + length == end;
            operations.Add(DumpOperation.Data(at, length, profile.DataExtraBytes(kind, nameBytes, isLast)));
        }
    }

    private static int EstimateOperations(long length, int maxPayload) =>
        (int)Math.Min(int.MaxValue / 2, (length / maxPayload) + 80);
}
