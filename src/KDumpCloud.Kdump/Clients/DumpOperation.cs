namespace KDumpCloud.Kdump.Clients;

public enum DumpOperationKind : byte
{
    Data,
    Seek,
    Eof,
}

/// <summary>
/// One datagram of a dump's data phase, in order; its block number is its index in the plan + 1 (§6).
/// </summary>
/// <param name="Kind">DATA, SEEK or EOF.</param>
/// <param name="Offset">DATA: where the payload starts in the content, which is also where it lands in the file.
/// SEEK: the absolute file offset.</param>
/// <param name="Length">DATA: payload bytes.</param>
/// <param name="ExtraBytes">Bytes the kernel's length computation adds after the payload or offset: the 7-byte
/// corehdr's extra byte and the paniclog/systemlog name (§8.3). Their content is the fill byte, or stale.</param>
public readonly record struct DumpOperation(DumpOperationKind Kind, long Offset, int Length, int ExtraBytes)
{
    public static DumpOperation Data(long offset, int length, int extraBytes) => new(DumpOperationKind.Data, offset, length, extraBytes);

    public static DumpOperation Seek(long offset, int extraBytes) => new(DumpOperationKind.Seek, offset, 0, extraBytes);

    public static DumpOperation Eof(int extraBytes) => new(DumpOperationKind.Eof, 0, 0, extraBytes);

    public override string ToString() => Kind switch
    {
        DumpOperationKind.Data => $"DATA({Offset}, {Length}{(ExtraBytes > 0 ? $" +{ExtraBytes}" : "")})",
        DumpOperationKind.Seek => $"SEEK({Offset})",
        _ => "EOF",
    };
}
