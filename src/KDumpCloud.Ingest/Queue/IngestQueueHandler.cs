using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Ingest.Queue;

/// <summary>
/// What every queue consumer does with a message body: the Function's trigger, its poison-queue function, and
/// <c>kdumpcloud ingest</c> draining the queue. Host-neutral, so the trigger stays a one-line adapter and the same
/// code is tested under the real WebJobs queue listener.
/// </summary>
public sealed partial class IngestQueueHandler(DumpIngestor ingestor, ILogger<IngestQueueHandler> logger, IngestMetrics? metrics = null)
{
    private readonly IngestMetrics _metrics = metrics ?? IngestMetrics.Shared;

    /// <summary>A Storage queue message is at most 64 KiB; anything longer is not ours and is not parsed.</summary>
    public const int MaxMessageChars = 64 * 1024;

    private const int PreviewChars = 200;

    /// <summary>Ingests the dump a message names. Throws for what a retry may cure (the host retries, then moves
    /// the message to the poison queue) and <see cref="InvalidIngestMessageException"/> for a body that is not an
    /// ingest message (retrying cannot cure it; it ends in the poison queue too, where it is recorded).</summary>
    public Task<CrashReport> HandleAsync(string body, CancellationToken cancellationToken)
    {
        IngestMessage message;
        try
        {
            message = Parse(body);
        }
        catch (InvalidIngestMessageException error)
        {
            // No dump to name and no trace to continue: a failed ingest span of its own, and an error counted.
            using var activity = IngestActivities.Source.StartActivity(IngestActivities.Ingest, ActivityKind.Consumer);
            IngestActivities.Fail(activity, error.Message, error);
            _metrics.Failed(error, elapsed: null);
            throw;
        }

        return ingestor.IngestAsync(message, cancellationToken);
    }

    /// <summary>
    /// Records a message the host gave up on (it failed <paramref name="attempts"/> times) as a failed occurrence, so
    /// it shows up beside the crashes instead of disappearing. A body that is not an ingest message is recorded under
    /// a dump id derived from its bytes (the same body records once), with a preview of it.
    /// </summary>
    public async Task<CrashReport> HandlePoisonAsync(string body, int attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        IngestMessage message;
        string reason;
        try
        {
            message = Parse(body);
            reason = $"ingest failed {attempts} times and the message was moved to the poison queue; each attempt's error is in the ingest log";
        }
        catch (InvalidIngestMessageException error)
        {
            message = Unreadable(body);
            reason = error.Message;
            Log.UnreadableMessage(logger, error.Message);
        }

        return await ingestor.RecordFailureAsync(message, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses and checks a message body; linear in its length, which is bounded.</summary>
    /// <exception cref="InvalidIngestMessageException">Not an ingest message, with what is wrong.</exception>
    public static IngestMessage Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Length > MaxMessageChars)
        {
            throw new InvalidIngestMessageException($"the message is {body.Length} characters, more than an ingest message can be ({MaxMessageChars})");
        }

        IngestMessage? message;
        try
        {
            message = IngestMessage.FromJson(body);
        }
        catch (JsonException error)
        {
            throw new InvalidIngestMessageException($"the message is not an ingest message ({error.Message}): {Preview(body)}", error);
        }

        if (message is null || message.DumpId == Guid.Empty || message.Size < 0 || !message.BlobUri.IsAbsoluteUri
            || string.IsNullOrWhiteSpace(message.FileName))
        {
            throw new InvalidIngestMessageException($"the message lacks a dump id, size, absolute blob URI or file name: {Preview(body)}");
        }

        return message;
    }

    /// <summary>A stand-in message for a body that could not be read, keyed by the body's hash.</summary>
    private static IngestMessage Unreadable(string body)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(body));
        return new IngestMessage
        {
            DumpId = new Guid(hash.AsSpan(0, 16)),
            BlobUri = new Uri("urn:kdumpcloud:unreadable-message"),
            Size = 0,
            Complete = false,
            Client = "unknown",
            FileName = "(unreadable message)",
            RelayHost = "unknown",
        };
    }

    private static string Preview(string body) =>
        body.Length <= PreviewChars ? body : string.Concat(body.AsSpan(0, PreviewChars), $"… ({body.Length} characters)");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "a poison message is not an ingest message; recorded as a failed occurrence: {Reason}")]
        public static partial void UnreadableMessage(ILogger logger, string reason);
    }
}

/// <summary>A queue message that is not an ingest message; retrying cannot help.</summary>
public sealed class InvalidIngestMessageException(string message, Exception? inner = null) : Exception(message, inner);
