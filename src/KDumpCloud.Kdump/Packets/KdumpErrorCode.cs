namespace KDumpCloud.Kdump.Packets;

/// <summary>ERROR codes (kdump-protocol.md §9; the TFTP set).</summary>
public enum KdumpErrorCode : ushort
{
    Undefined = 0,
    NotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
}
