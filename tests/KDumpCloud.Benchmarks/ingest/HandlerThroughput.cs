using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using KDumpCloud.Benchmarks.Upload;
using KDumpCloud.Ingest.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>
/// The cloud handler's throughput: paniclog blobs already in Azurite, their message bodies handed to
/// <see cref="IngestQueueHandler.HandleAsync"/> as the Function's trigger does, so each one is a blob read, a decode and
/// the Table Storage recording (reads, an insert, a group update with its ETag).
/// </summary>
internal static class HandlerThroughput
{
    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var connectionString = arguments.Required("connection-string");
        var count = (int)arguments.Number("count", 500);
        var warmUp = (int)arguments.Number("warm-up", 20);
        var concurrency = (int)arguments.Number("concurrency", 1);
        var container = new BlobContainerClient(connectionString, "bench-handler-" + Guid.NewGuid().ToString("n")[..12]);

        var blobs = await PanicLogBlobs.UploadAsync(container, arguments.Required("corpus"), warmUp + count, (int)arguments.Number("macs", 50));
        var timings = new IngestTimings();
        await using var services = IngestServices.Build(connectionString, container.Name, timings);
        var handler = services.GetRequiredService<IngestQueueHandler>();

        // Warm-up (JIT, connections, the tables' creation): handled, not counted.
        foreach (var blob in blobs.Take(warmUp))
        {
            await handler.HandleAsync(blob.Body, CancellationToken.None);
        }

        timings.Clear();
        var measured = blobs.Skip(warmUp).ToList();
        var latencies = new double[measured.Count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, measured.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, cancellationToken) =>
        {
            var started = Stopwatch.GetTimestamp();
            await handler.HandleAsync(measured[i].Body, cancellationToken);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        });
        var elapsed = clock.Elapsed;

        var decodeMeans = await DecodeTimer.MeanMillisecondsAsync(measured, (int)arguments.Number("decode-repeats", 20));
        var decode = new LatencySummary(measured.Select(blob => decodeMeans[blob.CorpusFile]));
        var handled = new LatencySummary(latencies);
        var ingestorRead = new LatencySummary(timings.Samples.Select(sample => sample.Decode));
        var perMessage = elapsed.TotalMilliseconds / measured.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"handler messages {measured.Count} concurrency {concurrency} seconds {elapsed.TotalSeconds:F3} messages-per-second {measured.Count / elapsed.TotalSeconds:F1} "
            + $"wall-ms-per-message {perMessage:F2} {handled.Fields("latency")} {ingestorRead.Fields("ingestor-read-decode")} "
            + $"{decode.Fields("decode")} decode-share-of-latency {decode.Mean / handled.Mean:F4} decode-share-of-wall {decode.Mean / perMessage:F4} "
            + $"logged {timings.Samples.Count} problems {timings.Problems} storage-errors {timings.StorageErrors} peak-mb {ProcessMemory.PeakWorkingSetBytes() / 1e6:F1}"));
        return timings.Samples.Count == measured.Count && timings.Problems == 0 ? 0 : 1;
    }
}
