using KDumpCloud.Benchmarks.Upload;

// The storage side of load/upload-run.sh: each command prints one result line of `key value` pairs for the script.
try
{
    var arguments = CommandArguments.Parse(args.Skip(1));
    return args.FirstOrDefault() switch
    {
        "plain-upload" => await PlainUpload.RunAsync(arguments),
        "watch" => await EofToMessageWatch.RunAsync(arguments),
        "verify" => await UploadVerification.RunAsync(arguments),
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
        kdumpcloud-upload-bench plain-upload --connection-string CS --container NAME --blob NAME --file PATH
            BlobClient.UploadAsync(PATH) with default options, timed (after an untimed warm-up upload of 1 KiB).
        kdumpcloud-upload-bench watch --connection-string CS --queue NAME --journal PATH [--timeout-seconds 300] [--poll-ms 10]
            Waits for the dump's EOF (the journal's finishedAt), then receives from the queue until its ingest message
            is there; prints EOF → message seen and EOF → the journal's upload.state = sent.
        kdumpcloud-upload-bench verify --connection-string CS --container NAME --queue NAME --journals DIR [--expected FILE]
            For every journal in DIR: its blob's bytes hashed against the journal's SHA-256 (and FILE's `name sha256`
            lines, the sender's figures), and its ingest messages counted.
        """);
    return 2;
}
