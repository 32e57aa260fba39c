using System.Globalization;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>One paniclog blob and the message the relay would send for it.</summary>
internal sealed record PanicLogBlob(string CorpusFile, byte[] Content, string Body);

/// <summary>Paniclog blobs made from the corpus, as the relay would have uploaded them, from a lab of <c>macs</c> Macs.</summary>
internal static class PanicLogBlobs
{
    public static async Task<List<PanicLogBlob>> UploadAsync(BlobContainerClient container, string corpusDirectory, int count, int macs)
    {
        var files = Directory.EnumerateFiles(corpusDirectory).Order(StringComparer.Ordinal)
            .Select(path => (Name: Path.GetFileName(path), Content: File.ReadAllBytes(path))).ToList();
        if (files.Count == 0)
        {
            throw new ArgumentException($"no corpus files in {corpusDirectory}");
        }

        await container.CreateIfNotExistsAsync();
        var blobs = new PanicLogBlob[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            var (corpusFile, content) = files[i % files.Count];
            var mac = string.Create(CultureInfo.InvariantCulture, $"10.0.{i % macs / 250}.{i % macs % 250 + 1}");
            var fileName = string.Create(CultureInfo.InvariantCulture, $"paniclog-xnu-11417.121.6-{mac}-{i:x8}");
            var dumpId = Guid.CreateVersion7();
            var blob = container.GetBlobClient($"bench/{dumpId:D}/{fileName}");
            await blob.UploadAsync(new BinaryData(content), cancellationToken);
            var message = new IngestMessage
            {
                DumpId = dumpId,
                BlobUri = blob.Uri,
                Size = content.Length,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                Complete = true,
                Client = mac + ":1069",
                FileName = fileName,
                RelayHost = "ingest-bench",
                ReceivedAt = TimeProvider.System.GetUtcNow(),
                KernelVersion = "xnu-11417.121.6",
                Kind = "paniclog",
            };
            blobs[i] = new PanicLogBlob(corpusFile, content, message.ToJson());
        });
        return [.. blobs];
    }
}
