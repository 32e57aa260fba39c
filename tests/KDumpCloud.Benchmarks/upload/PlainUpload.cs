using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;

namespace KDumpCloud.Benchmarks.Upload;

/// <summary>
/// The baseline of the EOF → committed benchmark: the finished file uploaded as a plain <c>BlobClient.UploadAsync(path)</c>
/// with default options, the way a relay that waited for EOF would. The client is created, the container made and the
/// SDK's code paths run once on a 1 KiB file before the clock starts, so only the upload itself is timed.
/// </summary>
internal static class PlainUpload
{
    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var path = arguments.Required("file");
        var container = new BlobContainerClient(arguments.Required("connection-string"), arguments.Required("container"));
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient(arguments.Required("blob"));

        var warmUp = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(warmUp, new byte[1024]);
            await container.GetBlobClient(blob.Name + "-warm-up").UploadAsync(warmUp, overwrite: true);
        }
        finally
        {
            File.Delete(warmUp);
        }

        var clock = Stopwatch.StartNew();
        await blob.UploadAsync(path);
        var seconds = clock.Elapsed.TotalSeconds;

        var length = new FileInfo(path).Length;
        long committed = (await blob.GetPropertiesAsync()).Value.ContentLength;
        if (committed != length)
        {
            await Console.Error.WriteLineAsync($"{blob.Uri}: {committed} bytes committed, the file has {length}");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plain-upload bytes {length} seconds {seconds:F3} mbps {length / seconds / 1e6:F1}"));
        return 0;
    }
}
