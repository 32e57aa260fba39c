using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace KDumpCloud.TestSupport;

/// <summary>
/// Builds small kernel cores the way xnu's kdp_core writes them: a 64-bit Mach-O MH_CORE header, an LC_NOTE
/// "kern ver str" (uint32 version, then the string), one LC_SEGMENT_64 whose payload is memory holding the panic
/// text somewhere among filler bytes; optionally gzip-compressed as 10.11+ kernels send it.
/// </summary>
public static class CoreFixtures
{
    public const string KernelVersion = "Darwin Kernel Version 19.4.0: Wed Mar  4 22:28:40 PST 2020; root:xnu-6153.101.6~15/RELEASE_X86_64";

    public static byte[] MachOCore(string panicText, int memoryBytes, int panicOffset, bool withVersionNote = true, int seed = 1)
    {
        const int headerSize = 32, noteSize = 40, segmentSize = 72;
        var versionPayload = new byte[4 + Encoding.ASCII.GetByteCount(KernelVersion) + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(versionPayload, 1);
        Encoding.ASCII.GetBytes(KernelVersion, versionPayload.AsSpan(4));
        var commands = (withVersionNote ? noteSize : 0) + segmentSize;
        var notesAt = headerSize + commands;
        var memoryAt = notesAt + versionPayload.Length;
        var core = new byte[memoryAt + memoryBytes];

        var header = core.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xfeedfacf);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 0x01000007); // CPU_TYPE_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], 3);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 4); // MH_CORE
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], withVersionNote ? 2u : 1u);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)commands);
        var at = headerSize;
        if (withVersionNote)
        {
            var note = core.AsSpan(at, noteSize);
            BinaryPrimitives.WriteUInt32LittleEndian(note, 0x31); // LC_NOTE
            BinaryPrimitives.WriteUInt32LittleEndian(note[4..], noteSize);
            Encoding.ASCII.GetBytes("kern ver str", note[8..]);
            BinaryPrimitives.WriteUInt64LittleEndian(note[24..], (ulong)notesAt);
            BinaryPrimitives.WriteUInt64LittleEndian(note[32..], (ulong)versionPayload.Length);
            at += noteSize;
        }

        var segment = core.AsSpan(at, segmentSize);
        BinaryPrimitives.WriteUInt32LittleEndian(segment, 0x19); // LC_SEGMENT_64
        BinaryPrimitives.WriteUInt32LittleEndian(segment[4..], segmentSize);
        BinaryPrimitives.WriteUInt64LittleEndian(segment[24..], 0xffffff8000000000);
        BinaryPrimitives.WriteUInt64LittleEndian(segment[32..], (ulong)memoryBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(segment[40..], (ulong)memoryAt);
        BinaryPrimitives.WriteUInt64LittleEndian(segment[48..], (ulong)memoryBytes);
        versionPayload.CopyTo(core, notesAt);

        FillLikeMemory(core.AsSpan(memoryAt, memoryBytes), seed);
        var text = Encoding.UTF8.GetBytes(panicText + "\0");
        text.CopyTo(core, memoryAt + panicOffset);
        return core;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Kernel memory is mostly zero pages with stretches of pointer-like data and a few format strings.</summary>
    public static void FillLikeMemory(Span<byte> memory, int seed)
    {
        var random = new Random(seed);
        const int page = 4096;
        for (var offset = 0; offset + page <= memory.Length; offset += page)
        {
            var pageSpan = memory.Slice(offset, page);
            switch (random.Next(4))
            {
                case 0:
                    break; // zero page
                case 1:
                    for (var i = 0; i + 8 <= page; i += 8)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(pageSpan[i..], 0xffffff8000000000UL | (ulong)random.Next(0, 1 << 24) << 4);
                    }

                    break;
                case 2:
                    random.NextBytes(pageSpan);
                    break;
                default:
                    // Format strings the kernel binary holds: these must not be taken for a panic.
                    Encoding.ASCII.GetBytes("panic(cpu %u caller 0x%lx): Kernel trap at 0x%016llx\0", pageSpan);
                    break;
            }
        }
    }
}
