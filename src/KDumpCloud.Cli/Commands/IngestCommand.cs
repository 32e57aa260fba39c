using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Identity;
using KDumpCloud.Cli.Queue;
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
/// (<see cref="DrainQueueAsync"/>). Exit codes: 0 every file recorded (or the queue drained, or stopped with Ctrl+C),
/// 1 a file could not be read or recorded (or the queue could not be read), 2 nothing to do (no files and no
/// <c>KDumpStorage</c>) or a setting that cannot work (no such queue, a bad <c>KDumpStorage</c>).
/// </summary>
internal static class IngestCommand
{
    private const string Description =
        "Run the crash-ingest core outside a relay or Function.\n" +
        "  kdumpcloud ingest FILE...   decode, fingerprint and record dump files from disk (paniclogs, .panic/.ips files,\n" +
        "                              gzip or raw Mach-O cores) in the embedded store of --data-directory, one line per file:\n" +
        "                              outcome (new, repeat, regression, recorded-before), group, signature.\n" +
        "  kdumpcloud ingest [--once]  the Function's work as a plain process, for labs that run no Functions: drain the ingest\n" +
        "                              queue (--queue) of the storage account KDumpStorage names, reading dumps from its blob\n" +
        "                              container and recording crash groups in its tables, one line per message (outcome, group,\n" +
        "                              ms, signature) and a summary (processed, failed, poisoned, seconds) at the end.\n" +
        "                              KDumpStorage comes from the environment as the Function's app settings do: a connection\n" +
        "                              string, or KDumpStorage__queueServiceUri, __blobServiceUri and __tableServiceUri\n" +
        "                              (DefaultAzureCredential; KDumpStorage__clientId for a user-assigned identity).\n" +
        "                              A failed message is retried after --visibility-timeout; after 5 failures (host.json's\n" +
        "                              maxDequeueCount) it is recorded as failed and moved to <queue>-poison, as the Function does.\n" +
        "                              Without --once it waits for more until Ctrl+C.\n" +
        "A dump is identified by its dump id (a file by its SHA-256), so ingesting the same one again counts it once.";

    /// <param name="environment">Where <c>KDumpStorage</c> and the <c>Ingest</c> settings are read; the process
    /// environment when null (tests pass their own).</param>
    public static Command Create(IDictionary? environment = null)
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
        var queue = new Option<string>("--queue")
        {
            Description = $"Without files: the ingest queue to drain (the relay's Upload:Queue). Default: {DefaultQueue}.",
            DefaultValueFactory = _ => DefaultQueue,
        };
        var once = new Option<bool>("--once") { Description = "Without files: stop when the queue is empty (nothing left, none waiting for a retry) instead of waiting for more." };
        var visibilityTimeout = new Option<int>("--visibility-timeout")
        {
            Description = "Without files: seconds a failed message stays invisible before it is tried again (host.json's visibilityTimeout). Default: 30.",
            HelpName = "seconds",
            DefaultValueFactory = _ => 30,
        };
        visibilityTimeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > MaxVisibilitySeconds)
            {
                result.AddError($"--visibility-timeout must be 0 to {MaxVisibilitySeconds} seconds");
            }
        });
        queue.Validators.Add(result =>
        {
            if (!IsQueueName(result.GetValueOrDefault<string>()))
            {
                result.AddError($"--queue must be a queue name: 3 to {MaxQueueNameLength} lower-case letters, digits and single hyphens " +
                    "(room is left for -poison), starting and ending with a letter or digit");
            }
        });

        var command = new Command("ingest", Description) { files, dataDirectory, client, queue, once, visibilityTimeout };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var paths = result.GetValue(files) ?? [];
            if (paths.Length == 0)
            {
                var options = new QueueWorkerOptions
                {
                    Once = result.GetValue(once),
                    RetryDelay = TimeSpan.FromSeconds(result.GetValue(visibilityTimeout)),
                };
                return await DrainQueueAsync(environment ?? Environment.GetEnvironmentVariables(), result.GetValue(queue)!, options, output, errors,
                    cancellationToken);
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

    /// <summary>The relay's default <c>Upload:Queue</c> and the Function's trigger queue.</summary>
    public const string DefaultQueue = "dump-ingest";

    private const int MaxVisibilitySeconds = 7 * 24 * 3600;

    /// <summary>Queue names are at most 63 characters, and the poison queue adds <c>-poison</c>.</summary>
    private const int MaxQueueNameLength = 63 - 7;

    /// <summary>
    /// The queue worker: drains the queue <c>KDumpStorage</c> names with the Function's own services
    /// (<see cref="AzureIngestServices"/>) until the queue is empty (<see cref="QueueWorkerOptions.Once"/>) or Ctrl+C,
    /// then prints the summary.
    /// </summary>
    internal static async Task<int> DrainQueueAsync(IDictionary environment, string queueName, QueueWorkerOptions options, TextWriter output,
        TextWriter errors, CancellationToken cancellationToken)
    {
        if (!CrashStoreFactory.IsAzureConfigured(environment))
        {
            await errors.WriteLineAsync(
                $"kdumpcloud ingest: without files, ingest drains the ingest queue, which needs {CrashStoreFactory.StorageKey} (a storage connection string, " +
                $"or {CrashStoreFactory.StorageKey}__queueServiceUri …); to ingest dump files from disk, name them: kdumpcloud ingest FILE...");
            return 2;
        }

        var configuration = EnvironmentConfiguration.From(environment);
        var (queue, poisonQueue, problem) = IngestQueueConnection.Create(configuration, queueName);
        if (queue is null || poisonQueue is null)
        {
            await errors.WriteLineAsync($"kdumpcloud ingest: {problem}");
            return 2;
        }

        var (services, servicesProblem) = AzureIngestServices.Create(configuration);
        if (services is null)
        {
            await errors.WriteLineAsync($"kdumpcloud ingest: {servicesProblem}");
            return 2;
        }

        await using (services)
        {
            var where = $"queue {queueName} in storage account {queue.AccountName}";
            try
            {
                if (!await queue.ExistsAsync(cancellationToken))
                {
                    await errors.WriteLineAsync($"kdumpcloud ingest: there is no {where}: the relay creates it when it starts (Upload:Queue), " +
                        "or create it; --queue names another");
                    return 2;
                }
            }
            catch (Exception error) when (error is RequestFailedException or AuthenticationFailedException)
            {
                await errors.WriteLineAsync($"kdumpcloud ingest: cannot read {where}: {FirstLine(error.Message)}");
                return error is AuthenticationFailedException or RequestFailedException { Status: 401 or 403 } ? 2 : 1;
            }

            var time = TimeProvider.System;
            var started = time.GetTimestamp();
            var worker = new IngestQueueWorker(queue, poisonQueue, services.Handler, options, output, errors, time);
            await errors.WriteLineAsync($"kdumpcloud ingest: draining {where}{(options.Once ? " until it is empty" : "; Ctrl+C stops")}");
            var exitCode = 0;
            try
            {
                await worker.RunAsync(cancellationToken);
            }
            catch (Exception error) when (error is RequestFailedException or AuthenticationFailedException)
            {
                await errors.WriteLineAsync($"kdumpcloud ingest: cannot read {where}: {FirstLine(error.Message)}");
                exitCode = 1;
            }

            var tally = worker.Tally;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"processed {tally.Processed}, failed {tally.Failed}, poisoned {tally.Poisoned} in {time.GetElapsedTime(started).TotalSeconds:F1} s"));
            return exitCode;
        }
    }

    /// <summary>A Storage queue name with room for the <c>-poison</c> suffix: lower-case letters, digits and single
    /// hyphens, starting and ending with a letter or digit.</summary>
    internal static bool IsQueueName(string? name)
    {
        if (name is null || name.Length < 3 || name.Length > MaxQueueNameLength || name[0] == '-' || name[^1] == '-'
            || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    internal static string Outcome(CrashReport report) => report.Redelivered
        ? "recorded-before"
        : report.Outcome switch
        {
            IngestOutcome.NewGroup => "new",
            IngestOutcome.Regression => "regression",
            _ => "repeat",
        };
}
