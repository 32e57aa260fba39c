using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using KDumpCloud.Benchmarks.Upload;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>
/// One read of a core blob, in a process of its own so that its peak working set is the read's: through the ingest
/// core as the Function runs it (<c>ingest</c>: find, decode, verify size and SHA-256, record in Table Storage), or the
/// blob alone (<c>stream</c>: the ingest reader's own stream, <see cref="BlobDumpReader"/>, copied into a null stream;
/// <c>download</c>: <c>DownloadToAsync</c> into a null stream with the SDK's defaults).
/// </summary>
internal static class CoreRead
{
    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var connectionString = arguments.Required("connection-string");
        var container = new BlobContainerClient(connectionString, arguments.Required("container"));
        var blob = container.GetBlobClient(arguments.Required("blob"));
        var mode = arguments.Required("mode");
        var properties = (await blob.GetPropertiesAsync()).Value;
        var bytes = properties.ContentLength;
        var detail = string.Empty;
        var exitCode = 0;
        var clock = Stopwatch.StartNew();
        switch (mode)
        {
            case "ingest":
                (detail, exitCode) = await IngestAsync(connectionString, container.Name, blob, properties, clock);
                break;
            case "stream":
                await using (var stream = await new BlobDumpReader(container).OpenAsync(MessageFor(blob, properties), CancellationToken.None))
                {
                    await stream.CopyToAsync(Stream.Null, 256 * 1024);
                }

                break;
            case "download":
                await blob.DownloadToAsync(Stream.Null);
                break;
            default:
                throw new ArgumentException($"--mode must be ingest, stream or download, not {mode}");
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"core-read mode {mode} bytes {bytes} seconds {seconds:F2} mbps {bytes / seconds / 1e6:F1} peak-mb {ProcessMemory.PeakWorkingSetBytes() / 1e6:F1}{detail}"));
        return exitCode;
    }

    private static async Task<(string Detail, int ExitCode)> IngestAsync(string connectionString, string container, BlobClient blob,
        BlobProperties properties, Stopwatch clock)
    {
        var timings = new IngestTimings();
        await using var services = IngestServices.Build(connectionString, container, timings);
        var handler = services.GetRequiredService<IngestQueueHandler>();
        var body = MessageFor(blob, properties).ToJson();

        // The services, the tables and the first request are set up before the clock starts.
        _ = services.GetRequiredService<KDumpCloud.Ingest.Ports.ICrashStore>();
        clock.Restart();
        var report = await handler.HandleAsync(body, CancellationToken.None);
        var occurrence = report.Occurrence;
        var decoded = occurrence.Status == OccurrenceStatus.Decoded;
        var decodeMs = timings.Samples.Count > 0 ? timings.Samples.First().Decode : double.NaN;
        var detail = string.Create(CultureInfo.InvariantCulture,
            $" status {occurrence.Status} warnings {occurrence.Warnings.Count} find-panic-ms {decodeMs:F0} signature {occurrence.Signature}");
        return (detail + string.Concat(occurrence.Warnings.Select(warning => "\nwarning " + warning)), decoded && occurrence.Warnings.Count == 0 ? 0 : 1);
    }

    private static IngestMessage MessageFor(BlobClient blob, BlobProperties properties) => new()
    {
        DumpId = Guid.CreateVersion7(),
        BlobUri = blob.Uri,
        Size = properties.ContentLength,
        Sha256 = properties.Metadata.TryGetValue("sha256", out var sha256) ? sha256 : null,
        Complete = true,
        Client = "10.0.0.1:1069",
        FileName = "core-xnu-4570.51.1-10.0.0.1-c0de.gz",
        RelayHost = "ingest-bench",
        ReceivedAt = TimeProvider.System.GetUtcNow(),
        Kind = "core",
        };
}
