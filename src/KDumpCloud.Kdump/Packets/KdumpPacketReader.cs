using System.Buffers.Binary;

namespace KDumpCloud.Kdump.Packets;

/// <summary>Reads the fixed fields of data-phase packets (kdump-protocol.md §2, §7).</summary>
public static class KdumpPacketReader
{
    /// <summary>Opcode and block of any packet of at least 6 bytes; false for anything shorter.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> datagram, out ushort opcode, out uint block)
    {
        if (datagram.Length < KdumpWire.HeaderSize)
        {
            opcode = 0;
            block = 0;
            return false;
        }

        opcode = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        block = BinaryPrimitives.ReadUInt32BigEndian(datagram[KdumpWire.BlockOffset..]);
        return true;
    }

    /// <summary>
    /// The absolute offset of a SEEK: 8 bytes big-endian with large crashdumps, else 4 (§7). Bytes after the
    /// offset (the stale byte of 10.3–10.6 kernels) are ignored; a SEEK too short to hold its offset is false.
    /// </summary>
    public static bool TryReadSeekOffset(ReadOnlySpan<byte> datagram, KdumpFeatures accepted, out ulong offset)
    {
        var field = datagram[Math.Min(datagram.Length, KdumpWire.DataOffset)..];
        if (KdumpWire.SeekOffsetSize(accepted) == 8)
        {
            return BinaryPrimitives.TryReadUInt64BigEndian(field, out offset);
        }

        var ok32 = BinaryPrimitives.TryReadUInt32BigEndian(field, out var offset32);
        offset = offset32;
        return ok32;
    }
}
