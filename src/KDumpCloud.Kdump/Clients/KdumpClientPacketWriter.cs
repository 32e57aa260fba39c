using System.Buffers.Binary;
using System.Text;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// Builds the datagrams a panicking Mac sends (kdump-protocol.md §3, §4.1, §7, §8), the way its kernel does:
/// into one packet buffer that is reused and never cleared. The length is computed as the kernel computes it, so
/// it may run past what was written: those extra bytes are the generation's fill byte, or, before xnu-1504, stale
/// bytes left in the buffer by an earlier datagram ([I]: the spec says "stale memory"; this is the deterministic
/// reading of it).
/// </summary>
/// <remarks>Each returned datagram is a view of the buffer, valid until the next call. Not thread-safe.</remarks>
public sealed class KdumpClientPacketWriter
{
    /// <summary>The longest name the buffer takes (the modern kernel's own limit is 100 bytes, §14).</summary>
    public const int MaxFileNameBytes = 1024;

    private readonly byte[] _buffer = new byte[KdumpWire.MaxDatagramSize];

    public KdumpClientPacketWriter(KernelGeneration generation) => Profile = KernelProfile.For(generation);

    public KernelProfile Profile { get; }

    /// <summary>
    /// The WRQ (§4.1): <c>name\0octet\0</c>, then from xnu-1456 <c>features\0</c> + mask, from xnu-1699 + pktsz; its
    /// length is n+12, n+25, n+24 or n+26, which leaves 3 stale bytes (≤ 1504) or cuts pktsz short (1699).
    /// </summary>
    public ReadOnlyMemory<byte> WriteRequest(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var nameLength = Encoding.UTF8.GetByteCount(fileName);
        if (nameLength > MaxFileNameBytes)
        {
            throw new ArgumentException($"A file name is at most {MaxFileNameBytes} bytes.", nameof(fileName));
        }

        var span = _buffer.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)KdumpOpcode.WriteRequest);
        var at = 2;
        at += Encoding.UTF8.GetBytes(fileName, span[at..]);
        span[at++] = 0;
        at += Append(span[at..], "octet\0"u8);
        if (Profile.SendsFeatures)
        {
            at += Append(span[at..], "features\0"u8);
            BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)Profile.AdvertisedFeatures);
            at += 4;
            if (Profile.WriteRequestLengthOverName >= 24)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[at..], Profile.AdvertisedPacketSize);
            }
        }

        return _buffer.AsMemory(0, Profile.WriteRequestLength(nameLength));
    }

    /// <summary>DATA: block, payload, then <paramref name="extraBytes"/> of fill or stale bytes (§8.1, §8.3).</summary>
    public ReadOnlyMemory<byte> Data(uint block, ReadOnlySpan<byte> payload, int extraBytes)
    {
        WriteHeader(KdumpOpcode.Data, block);
        payload.CopyTo(_buffer.AsSpan(KdumpWire.DataOffset));
        return Finish(KdumpWire.DataOffset + payload.Length, extraBytes);
    }

    /// <summary>SEEK: the offset as u64 BE if large crashdumps were accepted, else the low 32 bits (§7).</summary>
    public ReadOnlyMemory<byte> Seek(uint block, ulong offset, KdumpFeatures accepted)
    {
        WriteHeader(KdumpOpcode.Seek, block);
        var field = _buffer.AsSpan(KdumpWire.DataOffset);
        var width = KdumpWire.SeekOffsetSize(accepted);
        if (width == 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(field, offset);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(field, unchecked((uint)offset));
        }

        return Finish(KdumpWire.DataOffset + width, Profile.CoreHeaderExtraBytes);
    }

    /// <summary>EOF: the header, plus the 7-byte corehdr's extra byte on old kernels ([I]: the length formula of §8.3
    /// with no payload; kdumpd ignores an EOF's length and block).</summary>
    public ReadOnlyMemory<byte> Eof(uint block)
    {
        WriteHeader(KdumpOpcode.Eof, block);
        return Finish(KdumpWire.HeaderSize, Profile.CoreHeaderExtraBytes);
    }

    /// <summary>The datagram for operation <paramref name="index"/> of <paramref name="plan"/>, with block index + 1 (§6).</summary>
    public ReadOnlyMemory<byte> Operation(DumpPlan plan, int index)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var operation = plan.Operations[index];
        var block = unchecked((uint)(index + 1));
        return operation.Kind switch
        {
            DumpOperationKind.Data => Data(block, plan.Content.Span.Slice(checked((int)operation.Offset), operation.Length), operation.ExtraBytes),
            DumpOperationKind.Seek => Seek(block, (ulong)operation.Offset, plan.Features),
            _ => Eof(block),
        };
    }

    private void WriteHeader(KdumpOpcode opcode, uint block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, (ushort)opcode);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(KdumpWire.BlockOffset), block);
    }

    private ReadOnlyMemory<byte> Finish(int written, int extraBytes)
    {
        if (Profile.FillByte is { } fill)
        {
            _buffer.AsSpan(written, extraBytes).Fill(fill);
        }

        return _buffer.AsMemory(0, written + extraBytes);
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }
}
