using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>
/// Writes a kernel-core stand-in of any size as a stream, a chunk at a time (the same layout as
/// <c>Panics/SyntheticCore</c>: MH_CORE header with the "kern ver str" LC_NOTE, one LC_SEGMENT_64, memory pages that mix
/// zero pages, pointer-like data, random bytes and format-string decoys), with the panic text 64 KiB before the end so
/// the whole core has to be read to find it.
/// </summary>
internal sealed class SyntheticCoreWriter(long memoryBytes, string panicText, int seed = 42)
{
    public const int ChunkBytes = 1 << 20;
    private const int HeaderBytes = 4096;
    private const int Page = 4096;
    private const string Version = "Darwin Kernel Version 17.5.0: Mon Mar  5 22:24:32 PST 2018; root:xnu-4570.51.1~1/RELEASE_X86_64";

    /// <summary>Compressed ÷ raw size of this kind of core, from gzipping its first <paramref name="sampleBytes"/>.</summary>
    public static async Task<double> CompressionRatioAsync(int sampleBytes, int seed = 42)
    {
        var counter = new CountingHashingStream(Stream.Null);
        await using (var gzip = new GZipStream(counter, CompressionLevel.Fastest, leaveOpen: true))
        {
            await new SyntheticCoreWriter(sampleBytes, string.Empty, seed).WriteMemoryAsync(gzip, withPanic: false);
        }

        return (double)counter.Length / sampleBytes;
    }

    public long TotalBytes => HeaderBytes + memoryBytes;

    public async Task WriteAsync(Stream output)
    {
        await output.WriteAsync(Header());
        await WriteMemoryAsync(output, withPanic: true);
    }

    private async Task WriteMemoryAsync(Stream output, bool withPanic)
    {
        var random = new Random(seed);
        var chunk = new byte[ChunkBytes];
        var panic = Encoding.UTF8.GetBytes(panicText + "\0");
        var panicAt = memoryBytes - 64 * 1024;
        for (long offset = 0; offset < memoryBytes; offset += ChunkBytes)
        {
            var length = (int)Math.Min(ChunkBytes, memoryBytes - offset);
            Fill(chunk.AsSpan(0, length), random);
            if (withPanic && panicAt >= offset && panicAt < offset + length)
            {
                var at = (int)(panicAt - offset);
                panic.AsSpan(0, Math.Min(panic.Length, length - at)).CopyTo(chunk.AsSpan(at));
            }

            await output.WriteAsync(chunk.AsMemory(0, length));
        }
    }

    private byte[] Header()
    {
        var header = new byte[HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xfeedfacf);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 0x01000007);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 112);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), 0x19);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(36), 72);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(72), HeaderBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(80), (ulong)memoryBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(104), 0x31);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(108), 40);
        Encoding.ASCII.GetBytes("kern ver str", header.AsSpan(112));
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(128), 1024);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(136), (ulong)(4 + Version.Length + 1));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(1024), 1);
        Encoding.ASCII.GetBytes(Version, header.AsSpan(1028));
        return header;
    }

    private static void Fill(Span<byte> memory, Random random)
    {
        memory.Clear();
        for (var offset = 0; offset + Page <= memory.Length; offset += Page)
        {
            var page = memory.Slice(offset, Page);
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
    }
}
