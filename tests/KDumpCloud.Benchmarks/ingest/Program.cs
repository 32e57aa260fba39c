using KDumpCloud.Benchmarks.Ingest;
using KDumpCloud.Benchmarks.Upload;

// The measuring side of load/ingest-run.sh: each command prints `key value` result lines for the script.
try
{
    var arguments = CommandArguments.Parse(args.Skip(1));
    return args.FirstOrDefault() switch
    {
        "embedded-latency" => await EmbeddedLatency.RunAsync(arguments),
        "handler" => await HandlerThroughput.RunAsync(arguments),
        "core-upload" => await CoreUpload.RunAsync(arguments),
        "core-read" => await CoreRead.RunAsync(arguments),
        _ => Usage(),
    };
}
catch (ArgumentException error)
{
    await Console.Error.WriteLineAsync(error.Message);
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("""
        kdumpcloud-ingest-bench embedded-latency --data-directory DIR --names FILE
            For each dump named in FILE (one a line), from its journal in DIR and its occurrence in DIR/crashes.db:
            EOF (the journal's finishedAt) → occurrence recorded (the store's recordedAt) and → the journal's ingest
            record (ingest.updatedAt); p50/p90/max of each. Run it after the relay has stopped.
        kdumpcloud-ingest-bench handler --connection-string CS --corpus DIR [--count 500] [--warm-up 20]
                [--concurrency 1] [--macs 50] [--decode-repeats 20]
            Uploads --count + --warm-up paniclog blobs (corpus files in turn), then hands each message body to
            IngestQueueHandler.HandleAsync (AddKDumpIngest: Blob and Table adapters, fresh tables), --concurrency at a
            time; prints messages/s and per-message latency, the ingestor's own read+decode time, and the decode alone
            (PanicFileDecoder + Fingerprinter on the same bytes in memory).
        kdumpcloud-ingest-bench core-upload --connection-string CS --container NAME --blob NAME --size BYTES --corpus DIR
            Generates a gzip kernel core of about BYTES compressed (corpus panic text near its end) straight into the
            blob, and sets its sha256 and size metadata.
        kdumpcloud-ingest-bench core-read --connection-string CS --container NAME --blob NAME --mode ingest|stream|download
            Reads the blob once, in a process of its own: through the ingest core (IngestQueueHandler, as the Function),
            or alone (OpenRead with the ingest reader's buffer, or DownloadTo a null stream); prints seconds, MB/s and
            the process's peak working set (VmHWM).
        """);
    return 2;
}
