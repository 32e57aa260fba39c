using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// <c>kdumpcloud ingest FILE…</c>: pushes dump files from disk through the ingest core into the embedded store of
/// <c>--data-directory</c>, one line per file. Without files it is the queue worker, which needs <c>KDumpStorage</c>
/// (<see cref="DrainQueueAsync"/>). Exit codes: 0 every file recorded, 1 a file could not be read or recorded,
/// 2 nothing to do (no files and no queue).
/// </summary>
internal static class IngestCommand
{
    private const string Description =
        "Run the crash-ingest core outside a relay or Function.\n" +
        "  kdumpcloud ingest FILE...   decode, fingerprint and record dump files from disk (paniclogs, .panic/.ips files,\n" +
        "                              gzip or raw Mach-O cores) in the embedded store of --data-directory, one line per file:\n" +
        "                              outcome (new, repeat, regression, recorded-before), group, signature.\n" +
        "  kdumpcloud ingest [--once]  drain the ingest queue named by KDumpStorage (the Function's work, for labs without Functions).\n" +
        "A file is identified by its content (its SHA-256), so ingesting the same file again counts it once.";

    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Dump files to ingest.", Arity = ArgumentArity.ZeroOrMore };
        var dataDirectory = new Option<string>("--data-directory")
        {
            Description = $"The data directory whose crashes.db records the files (created if missing). Default: {CrashStoreFactory.DefaultDataDirectory}.",
            HelpName = "dir",
            DefaultValueFactory = _ => CrashStoreFactory.DefaultDataDirectory,
        };
        var client = new Option<string>("--client")
        {
            Description = "The Mac the files came from, as an address (counts as one Mac per address). Default: local.",
            DefaultValueFactory = _ => "local",
        };
        var once = new Option<bool>("--once") { Description = "With the queue: stop when it is empty instead of waiting for more." };
        var command = new Command("ingest", Description) { files, dataDirectory, client, once };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var paths = result.GetValue(files) ?? [];
            if (paths.Length == 0)
            {
                return await DrainQueueAsync(result.GetValue(once), errors, cancellationToken);
            }

            var choice = CrashStoreFactory.OpenOrCreateEmbedded(result.GetValue(dataDirectory)!);
            if (choice.Store is null)
            {
                await errors.WriteLineAsync($"kdumpcloud ingest: {choice.Problem}");
                return 2;
            }

            return await IngestFilesAsync(paths, choice.Store, result.GetValue(client)!, output, errors, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> IngestFilesAsync(IReadOnlyList<FileInfo> files, ICrashStore store, string client,
        TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var ingestor = new DumpIngestor(new FileDumpReader(), store, [], [], Options.Create(new IngestOptions()), TimeProvider.System,
            NullLogger<DumpIngestor>.Instance);
        var failed = false;
        foreach (var file in files)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }

            try
            {
                var message = await MessageForAsync(file, client, cancellationToken);
                var report = await ingestor.IngestAsync(message, cancellationToken);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{Outcome(report),-15} {report.Group.Id}  count {report.Group.Count}  {report.Group.Signature}  {file}"));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or DumpMissingException
                or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                await errors.WriteLineAsync($"kdumpcloud ingest: {file}: {error.Message}");
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    /// <summary>The message the relay would send for <paramref name="file"/>. The dump id is derived from the file's
    /// SHA-256, so the same file ingested twice is the same dump and counts once.</summary>
    internal static async Task<IngestMessage> MessageForAsync(FileInfo file, string client, CancellationToken cancellationToken)
    {
        byte[] sha256;
        await using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            sha256 = await SHA256.HashDataAsync(stream, cancellationToken);
        }

        file.Refresh();
        return new IngestMessage
        {
            DumpId = DumpIdFor(sha256),
            BlobUri = FileDumpReader.UriFor(file.FullName),
            Size = file.Length,
            Sha256 = Convert.ToHexStringLower(sha256),
            Complete = true,
            Client = client,
            FileName = file.Name,
            RelayHost = Environment.MachineName,
            ReceivedAt = file.LastWriteTimeUtc,
        };
    }

    /// <summary>A GUID from the first 16 bytes of the content's SHA-256, marked as an RFC 9562 version 8 (custom) UUID.</summary>
    internal static Guid DumpIdFor(ReadOnlySpan<byte> sha256)
    {
        Span<byte> bytes = stackalloc byte[16];
        sha256[..16].CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The queue worker: receives ingest messages from the queue <c>KDumpStorage</c> names and runs the core on each
    /// (<paramref name="once"/>: until the queue is empty). The seam where the Azure adapters (blob reader, Table store,
    /// queue receiver) plug in; until they do, it says what is missing.
    /// </summary>
    private static async Task<int> DrainQueueAsync(bool once, TextWriter errors, CancellationToken cancellationToken)
    {
        _ = once;
        cancellationToken.ThrowIfCancellationRequested();
        await errors.WriteLineAsync(CrashStoreFactory.IsAzureConfigured(Environment.GetEnvironmentVariables())
            ? "kdumpcloud ingest: KDumpStorage is set, but draining its ingest queue is not in this build yet; give dump files to ingest them from disk"
            : "kdumpcloud ingest: without files, ingest drains the ingest queue, which needs KDumpStorage (a storage connection string, " +
              "or KDumpStorage__queueServiceUri …); to ingest dump files from disk, name them: kdumpcloud ingest FILE...");
        return 2;
    }

    private static string Outcome(CrashReport report) => report.Redelivered
        ? "recorded-before"
        : report.Outcome switch
        {
            IngestOutcome.NewGroup => "new",
            IngestOutcome.Regression => "regression",
            _ => "repeat",
        };
}
