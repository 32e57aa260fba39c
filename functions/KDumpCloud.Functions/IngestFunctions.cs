using KDumpCloud.Ingest.Queue;
using Microsoft.Azure.Functions.Worker;

namespace KDumpCloud.Functions;

/// <summary>
/// The two queue triggers, each one line over <see cref="IngestQueueHandler"/>: everything they do is in the ingest
/// core, which the tests run under the real Storage-queue listener. Queue names are the relay's defaults
/// (<c>Upload:Queue</c>); the poison queue is the trigger's own <c>&lt;queue&gt;-poison</c>, after
/// <c>maxDequeueCount</c> (host.json) failed attempts.
/// </summary>
public sealed class IngestFunctions(IngestQueueHandler handler)
{
    /// <summary>host.json's <c>extensions.queues.maxDequeueCount</c>: attempts before a message is poison.</summary>
    public const int MaxDequeueCount = 5;

    [Function("IngestDump")]
    public Task IngestDumpAsync(
        [QueueTrigger("dump-ingest", Connection = "KDumpStorage")] string message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message, cancellationToken);

    [Function("RecordPoisonDump")]
    public Task RecordPoisonDumpAsync(
        [QueueTrigger("dump-ingest-poison", Connection = "KDumpStorage")] string message,
        CancellationToken cancellationToken) =>
        handler.HandlePoisonAsync(message, MaxDequeueCount, cancellationToken);
}
