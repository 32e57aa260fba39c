namespace KDumpCloud.Cli.Queue;

/// <summary>How <see cref="IngestQueueWorker"/> drains the queue; the defaults are the Functions host's (host.json).</summary>
internal sealed record QueueWorkerOptions
{
    /// <summary>host.json's <c>maxDequeueCount</c>: a message that has failed this many times goes to the poison queue.</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>Messages received per request (the service allows up to 32).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Stop when the queue is empty (no message visible and none waiting for a retry) instead of waiting.</summary>
    public bool Once { get; init; }

    /// <summary>How long a failed message stays invisible before its next attempt (host.json's <c>visibilityTimeout</c>).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a received message stays hidden from other workers while this one has it; renewed before each
    /// message of a batch when half of it has passed. Ten minutes, as the WebJobs queue listener leases.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest pause between polls of an empty queue (host.json's <c>maxPollingInterval</c>).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(2);
}
