using System.Buffers.Binary;
using System.Text;

namespace KDumpCloud.Kdump.Packets;

/// <summary>Parses a WRQ datagram the way kdumpd does (kdump-protocol.md §4.2), for every layout in §4.1.</summary>
public static class WriteRequestParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads opcode, file name, mode and the optional <c>features</c> mask. Bytes after the mask (pktsz, or
    /// the 3 stale bytes of 10.3–10.6 kernels) are tolerated. Never throws: bad input returns false and says why.
    /// </summary>
    /// <remarks>
    /// Where kdumpd reads past the datagram into its zero-filled buffer (an unterminated mode, a mask cut
    /// short), the missing bytes count as zeros here too, so the same datagrams are accepted.
    /// <c>netascii</c> is refused although kdumpd accepts it: no xnu kernel sends it, and its CR/LF rewriting
    /// would corrupt a binary core.
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out WriteRequest? request, out WriteRequestError error)
    {
        request = null;
        if (datagram.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(datagram) != (ushort)KdumpOpcode.WriteRequest)
        {
            error = WriteRequestError.NotWriteRequest;
            return false;
        }

        var rest = datagram[2..];
        var nameEnd = rest.IndexOf((byte)0);
        if (nameEnd < 0)
        {
            error = WriteRequestError.UnterminatedFileName;
            return false;
        }

        var nameBytes = rest[..nameEnd];
        rest = rest[(nameEnd + 1)..];

        var modeEnd = rest.IndexOf((byte)0);
        var modeBytes = modeEnd < 0 ? rest : rest[..modeEnd];
        rest = modeEnd < 0 ? [] : rest[(modeEnd + 1)..];
        if (!Ascii.EqualsIgnoreCase(modeBytes, "octet"u8))
        {
            error = WriteRequestError.UnsupportedMode;
            return false;
        }

        string fileName;
        try
        {
            fileName = StrictUtf8.GetString(nameBytes);
        }
        catch (DecoderFallbackException)
        {
            error = WriteRequestError.InvalidFileNameEncoding;
            return false;
        }

        var hasFeatures = rest.StartsWith("features\0"u8);
        uint mask = 0;
        uint? packetSize = null;
        if (hasFeatures)
        {
            var fields = rest["features\0"u8.Length..];
            mask = ReadUInt32ZeroExtended(fields);
            if (fields.Length >= 8)
            {
                packetSize = BinaryPrimitives.ReadUInt32BigEndian(fields[4..]);
            }
        }

        request = new WriteRequest(fileName, "octet", hasFeatures, mask, packetSize);
        error = WriteRequestError.None;
        return true;
    }

    private static uint ReadUInt32ZeroExtended(ReadOnlySpan<byte> source)
    {
        Span<byte> padded = stackalloc byte[4];
        source[..Math.Min(4, source.Length)].CopyTo(padded);
        return BinaryPrimitives.ReadUInt32BigEndian(padded);
    }
}
