using System.Buffers.Binary;
using System.Text;

namespace KDumpCloud.Kdump.Packets;

/// <summary>Encodes the server's packets: ACK and ERROR (kdump-protocol.md §3, §4.3, §9).</summary>
public static class KdumpPacketWriter
{
    public const int AckSize = KdumpWire.HeaderSize;

    /// <summary>
    /// Writes an ACK. The opcode word's first byte carries <paramref name="features"/>; pass them only for the
    /// ACK 0 that answers a WRQ which had the features string (§4.3), otherwise <see cref="KdumpFeatures.None"/>.
    /// </summary>
    public static int WriteAck(Span<byte> destination, uint block, KdumpFeatures features = KdumpFeatures.None)
    {
        destination[0] = (byte)(features & KdumpFeatures.Known);
        destination[1] = (byte)KdumpOpcode.Ack;
        BinaryPrimitives.WriteUInt32BigEndian(destination[KdumpWire.BlockOffset..], block);
        return AckSize;
    }

    /// <summary>
    /// Writes an ERROR as kdumpd lays it out on a little-endian host (§9): the code as a big-endian 16-bit value
    /// in the first two bytes of the 32-bit field, two zero bytes, then the text. Unlike kdumpd the text keeps its
    /// last character and ends in a NUL; the kernel reads neither, it only retransmits.
    /// </summary>
    public static int WriteError(Span<byte> destination, KdumpErrorCode code, string message)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)KdumpOpcode.Error);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)code);
        destination[4] = 0;
        destination[5] = 0;
        var textRoom = destination.Length - KdumpWire.HeaderSize - 1;
        var written = Encoding.ASCII.GetBytes(message.AsSpan(0, Math.Min(message.Length, textRoom)), destination[KdumpWire.HeaderSize..]);
        destination[KdumpWire.HeaderSize + written] = 0;
        return KdumpWire.HeaderSize + written + 1;
    }
}
