using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace KDumpCloud.Benchmarks.Panics;

/// <summary>
/// A kernel-core stand-in of a chosen size: MH_CORE header, one LC_SEGMENT_64, memory pages that are a mix of
/// zero pages, pointer-like data, random bytes and format-string decoys, and the panic text near the end so
/// that the whole stream has to be read. Gzip-compressed like a 10.11+ core.
/// </summary>
internal static class SyntheticCore
{
    public static byte[] Gzipped(int memoryBytes, string panicText, bool withVersionNote)
    {
        const string version = "Darwin Kernel Version 17.5.0: Mon Mar  5 22:24:32 PST 2018; root:xnu-4570.51.1~1/RELEASE_X86_64";
        var core = new byte[4096 + memoryBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(core, 0xfeedfacf);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(4), 0x01000007);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(12), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(16), withVersionNote ? 2u : 1u);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(20), withVersionNote ? 112u : 72u);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(32), 0x19);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(36), 72);
        BinaryPrimitives.WriteUInt64LittleEndian(core.AsSpan(72), 4096);
        BinaryPrimitives.WriteUInt64LittleEndian(core.AsSpan(80), (ulong)memoryBytes);
        if (withVersionNote)
        {
            // LC_NOTE "kern ver str": uint32 version then the string, payload placed after the load commands.
            BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(104), 0x31);
            BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(108), 40);
            Encoding.ASCII.GetBytes("kern ver str", core.AsSpan(112));
            BinaryPrimitives.WriteUInt64LittleEndian(core.AsSpan(128), 1024);
            BinaryPrimitives.WriteUInt64LittleEndian(core.AsSpan(136), (ulong)(4 + version.Length + 1));
            BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(1024), 1);
            Encoding.ASCII.GetBytes(version, core.AsSpan(1028));
        }

        var random = new Random(42);
        var memory = core.AsSpan(4096);
        for (var offset = 0; offset + 4096 <= memory.Length; offset += 4096)
        {
            var page = memory.Slice(offset, 4096);
            switch (random.Next(4))
            {
                case 0:
                    break;
                case 1:
                    for (var i = 0; i + 8 <= page.Length; i += 8)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(page[i..], 0xffffff8000000000UL | ((ulong)random.Next(0, 1 << 24) << 4));
                    }

                    break;
                case 2:
                    random.NextBytes(page);
                    break;
                default:
                    Encoding.ASCII.GetBytes("panic(cpu %u caller 0x%lx): Kernel trap at 0x%016llx\0", page);
                    break;
            }
        }

        Encoding.UTF8.GetBytes(panicText + "\0").CopyTo(memory[(memory.Length - 64 * 1024)..]);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(core);
        }

        return output.ToArray();
    }
}
