using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using KDumpCloud.Benchmarks.Upload;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>Generates a gzip core of about <c>--size</c> compressed bytes straight into a blob (nothing on disk, flat
/// memory), with its SHA-256 and size in the metadata as the relay's uploader sets them.</summary>
internal static class CoreUpload
{
    private const int SampleBytes = 32 << 20;

    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var connectionString = arguments.Required("connection-string");
        var container = new BlobContainerClient(connectionString, arguments.Required("container"));
        var size = (long)arguments.Number("size", 1L << 30);
        var panicText = CorpusPanicText(arguments.Required("corpus"));

        // Raw size from the compression ratio of a sample, in whole chunks: the compressed size lands near --size.
        var ratio = await SyntheticCoreWriter.CompressionRatioAsync(SampleBytes);
        var memoryBytes = Math.Max(2, (long)Math.Round(size / ratio / SyntheticCoreWriter.ChunkBytes)) * SyntheticCoreWriter.ChunkBytes;
        var core = new SyntheticCoreWriter(memoryBytes, panicText);

        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlockBlobClient(arguments.Required("blob"));
        var clock = Stopwatch.StartNew();
        string sha256;
        long length;
        await using (var upload = await blob.OpenWriteAsync(overwrite: true, new BlockBlobOpenWriteOptions { BufferSize = 8 << 20 }))
        {
            await using var counted = new CountingHashingStream(upload);
            await using (var gzip = new GZipStream(counted, CompressionLevel.Fastest, leaveOpen: true))
            {
                await core.WriteAsync(gzip);
            }

            length = counted.Length;
            sha256 = counted.Sha256();
        }

        await blob.SetMetadataAsync(new Dictionary<string, string>
        {
            ["sha256"] = sha256,
            ["size"] = length.ToString(CultureInfo.InvariantCulture),
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"core-upload blob {blob.Name} compressed-bytes {length} raw-bytes {core.TotalBytes} ratio {(double)core.TotalBytes / length:F2} sha256 {sha256} seconds {clock.Elapsed.TotalSeconds:F1}"));
        return 0;
    }

    /// <summary>A real x86_64 panic as the kernel leaves it in memory: the first corpus file's text from its panic( line.</summary>
    private static string CorpusPanicText(string corpusDirectory)
    {
        var text = File.ReadAllText(Directory.EnumerateFiles(corpusDirectory, "001-*").First());
        return text[text.IndexOf("panic(", StringComparison.Ordinal)..];
    }
}
