using System.Buffers.Binary;
using System.Text;

namespace KDumpCloud.Panics.Cores;

/// <summary>A Mach-O LC_NOTE: owner name and the file range of its payload.</summary>
internal sealed record MachONote(string Owner, ulong Offset, ulong Size);

/// <summary>Sorts an LC_NOTE owner into a kind the reader wants (1 to 31), or 0 for a note it does not want.</summary>
internal delegate int NoteKind(ReadOnlySpan<char> owner);

/// <summary>
/// Reads the Mach-O header and load commands of a kernel core (<c>MH_CORE</c>, filetype 4) from the first bytes of
/// the file (xnu <c>kern/kdp_core.c</c> writes them first). Only LC_NOTE is kept: xnu stores the kernel version
/// string in a <c>"kern ver str"</c> note. Little-endian only (x86_64 and arm64); returns null for anything else.
/// Headers are untrusted (issue 6 item 10): only the first note of each wanted kind is kept (xnu writes one of each)
/// and no owner string is made for the others, so thousands of notes cost nothing but a warning.
/// </summary>
internal static class MachOCoreHeader
{
    private const uint Magic32 = 0xfeedface;
    private const uint Magic64 = 0xfeedfacf;
    private const uint FileTypeCore = 4;
    private const uint LoadCommandNote = 0x31;
    private const int NoteOwnerLength = 16;

    public static bool IsMachO(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(head) is Magic32 or Magic64;

    public static List<MachONote>? ReadNotes(ReadOnlySpan<byte> head, List<string> warnings, NoteKind kindOf)
    {
        if (!IsMachO(head) || head.Length < 28)
        {
            return null;
        }

        var is64 = BinaryPrimitives.ReadUInt32LittleEndian(head) == Magic64;
        var fileType = BinaryPrimitives.ReadUInt32LittleEndian(head[12..]);
        if (fileType != FileTypeCore)
        {
            warnings.Add($"Mach-O file type {fileType} is not MH_CORE (4)");
        }

        var commandCount = BinaryPrimitives.ReadUInt32LittleEndian(head[16..]);
        var offset = is64 ? 32 : 28;
        var notes = new List<MachONote>();
        var ignored = 0;
        var kindsSeen = 0u;
        Span<char> owner = stackalloc char[NoteOwnerLength];
        for (var i = 0u; i < commandCount; i++)
        {
            if (offset + 8 > head.Length)
            {
                warnings.Add("Mach-O load commands extend past the first read; later notes ignored");
                break;
            }

            var command = BinaryPrimitives.ReadUInt32LittleEndian(head[offset..]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(head[(offset + 4)..]);
            if (size < 8 || offset + size > head.Length)
            {
                warnings.Add($"Mach-O load command {i} has an impossible size {size}");
                break;
            }

            if (command == LoadCommandNote && size >= 40)
            {
                var ownerBytes = head.Slice(offset + 8, NoteOwnerLength);
                var nul = ownerBytes.IndexOf((byte)0);
                var name = owner[..Encoding.ASCII.GetChars(nul >= 0 ? ownerBytes[..nul] : ownerBytes, owner)];
                var kind = kindOf(name) & 31;
                if (kind != 0 && (kindsSeen & (1u << kind)) == 0)
                {
                    kindsSeen |= 1u << kind;
                    notes.Add(new MachONote(name.ToString(),
                        BinaryPrimitives.ReadUInt64LittleEndian(head[(offset + 24)..]),
                        BinaryPrimitives.ReadUInt64LittleEndian(head[(offset + 32)..])));
                }
                else if (kind != 0)
                {
                    ignored++;
                }
            }

            offset += (int)size;
        }

        if (ignored > 0)
        {
            warnings.Add($"{ignored} more LC_NOTEs of a kind already seen ignored");
        }

        return notes;
    }
}
