namespace KDumpCloud.Kdump.Packets;

/// <summary>Opcodes of the kdump protocol (kdump-protocol.md §3). Only the low byte is the opcode
/// in ACK 0, whose high byte carries the accepted features (§4.3).</summary>
public enum KdumpOpcode : ushort
{
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    Seek = 6,
    Eof = 7,
    Flush = 8,
}
