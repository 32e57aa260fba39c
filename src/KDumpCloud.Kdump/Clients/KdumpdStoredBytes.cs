using System.Buffers.Binary;
using System.Security.Cryptography;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// What Apple's kdumpd writes to disk for a sequence of data-phase datagrams (kdump-protocol.md §5, §7, §8, §12):
/// a deliberately plain model, kept apart from the relay's <c>TransferSession</c> so that tests have an independent
/// ground truth. Each datagram is cut to 6 + the negotiated payload size (recv's length); DATA with the expected
/// block writes len − 6 bytes at the current offset; SEEK with the expected block moves the offset (past the end
/// leaves a hole of zeros, and no length until written); EOF ends the file; anything else is ignored.
/// </summary>
public static class KdumpdStoredBytes
{
    /// <summary>The file kdumpd stores for <paramref name="plan"/>'s datagrams, built as the kernel builds them.</summary>
    public static byte[] Compute(DumpPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Apply(Datagrams(plan), plan.Features);
    }

    /// <summary>SHA-256 of <see cref="Compute(DumpPlan)"/>, lower-case hex: what a correct relay's file hashes to.</summary>
    public static string Sha256Hex(DumpPlan plan) => Convert.ToHexStringLower(SHA256.HashData(Compute(plan)));

    /// <summary>The plan's data-phase datagrams in order (copies), from a writer that first built the WRQ, as the kernel does.</summary>
    public static IEnumerable<byte[]> Datagrams(DumpPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var writer = new KdumpClientPacketWriter(plan.Generation);
        writer.WriteRequest(plan.FileName);
        for (var i = 0; i < plan.Operations.Count; i++)
        {
            yield return writer.Operation(plan, i).ToArray();
        }
    }

    /// <summary>Replays <paramref name="datagrams"/> (everything after the WRQ) into a file as kdumpd would.</summary>
    public static byte[] Apply(IEnumerable<byte[]> datagrams, KdumpFeatures accepted)
    {
        ArgumentNullException.ThrowIfNull(datagrams);
        var receiveSize = KdumpWire.HeaderSize + ((accepted & KdumpFeatures.LargePackets) != 0 ? KdumpWire.LargeDataSize : KdumpWire.SmallDataSize);
        var file = new byte[4096];
        long fileLength = 0;
        long offset = 0;
        uint expected = 1;
        foreach (var datagram in datagrams)
        {
            var packet = datagram.AsSpan(0, Math.Min(datagram.Length, receiveSize));
            if (packet.Length < KdumpWire.HeaderSize)
            {
                continue;
            }

            var opcode = BinaryPrimitives.ReadUInt16BigEndian(packet);
            var block = BinaryPrimitives.ReadUInt32BigEndian(packet[2..]);
            if (opcode == (ushort)KdumpOpcode.Eof)
            {
                break;
            }

            if (block != expected)
            {
                continue;
            }

            if (opcode == (ushort)KdumpOpcode.Data)
            {
                var payload = packet[KdumpWire.HeaderSize..];
                var end = offset + payload.Length;
                if (end > file.Length)
                {
                    Array.Resize(ref file, (int)Math.Max(end, Math.Min(Array.MaxLength, file.Length * 2L)));
                }

                payload.CopyTo(file.AsSpan((int)offset));
                offset = end;
                fileLength = Math.Max(fileLength, end);
                expected++;
            }
            else if (opcode == (ushort)KdumpOpcode.Seek)
            {
                var field = packet[KdumpWire.HeaderSize..];
                offset = (accepted & KdumpFeatures.LargeCrashdumps) != 0
                    ? (long)BinaryPrimitives.ReadUInt64BigEndian(field)
                    : BinaryPrimitives.ReadUInt32BigEndian(field);
                expected++;
            }
        }

        return file.AsSpan(0, (int)fileLength).ToArray();
    }
}
