using System.Buffers.Binary;
using System.Text;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Clients;

/// <summary>How the kernel takes a datagram that arrives while it waits for an ACK (kdump-protocol.md §11.1).</summary>
public enum KernelReplyKind
{
    /// <summary>ACK with the block it waits for: the packet is done.</summary>
    Acknowledged,

    /// <summary>ERROR: retransmit at once with a fresh 1000-poll budget (§9).</summary>
    Error,

    /// <summary>Block = current − 1, whatever the opcode: the first is ignored, later ones trigger a retransmit.</summary>
    PreviousBlock,

    /// <summary>Anything else. The kernel falls through to <c>panic_block++</c>, i.e. takes it as an ACK (a quirk).</summary>
    Other,
}

/// <summary>The kernel's reading of a reply, in the order of its checks (kdp_udp.c, §4.3, §11.1).</summary>
public static class KernelReply
{
    /// <param name="profile">The kernel generation.</param>
    /// <param name="awaitingWriteRequestAck">Whether the packet waiting is the WRQ, the only time ACK 0's feature byte is read.</param>
    /// <param name="panicBlock">The block being waited for (0 for the WRQ).</param>
    /// <param name="datagram">The reply.</param>
    /// <param name="features">For an acknowledged WRQ, the feature byte as the kernel reads it (before masking).</param>
    public static KernelReplyKind Interpret(KernelProfile profile, bool awaitingWriteRequestAck, uint panicBlock,
        ReadOnlySpan<byte> datagram, out KdumpFeatures features)
    {
        ArgumentNullException.ThrowIfNull(profile);
        features = KdumpFeatures.None;
        if (!KdumpPacketReader.TryReadHeader(datagram, out var opcode, out var block))
        {
            // The kernel would read stale header bytes here; nothing we send is this short.
            return KernelReplyKind.Other;
        }

        if (awaitingWriteRequestAck && profile.ReadsAckFeatures && (opcode & 0xFF) == (ushort)KdumpOpcode.Ack)
        {
            features = (KdumpFeatures)(opcode >> 8);
            opcode = (ushort)KdumpOpcode.Ack;
        }

        if (opcode == (ushort)KdumpOpcode.Ack && block == panicBlock)
        {
            return KernelReplyKind.Acknowledged;
        }

        if (opcode == (ushort)KdumpOpcode.Error)
        {
            return KernelReplyKind.Error;
        }

        return block == unchecked(panicBlock - 1) ? KernelReplyKind.PreviousBlock : KernelReplyKind.Other;
    }

    /// <summary>
    /// The text of an ERROR as kdumpd lays it out: from offset 6 to a NUL or the end (kdumpd cuts the last character
    /// and sends no NUL, §9). Non-ASCII bytes become '?'.
    /// </summary>
    public static string ErrorText(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length <= KdumpWire.HeaderSize)
        {
            return "";
        }

        var text = datagram[KdumpWire.HeaderSize..];
        var nul = text.IndexOf((byte)0);
        return Encoding.ASCII.GetString(nul < 0 ? text : text[..nul]);
    }

    /// <summary>The code of an ERROR read as kdumpd on a little-endian host writes it: 16-bit BE at offset 2 (§9).</summary>
    public static ushort ErrorCode(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) : (ushort)0;
}
