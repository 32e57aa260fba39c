using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using KDumpCloud.Cli.Commands;
using KDumpCloud.Ingest.Queue;

namespace KDumpCloud.Cli.Queue;

/// <summary>
/// Drains the ingest queue the way the Functions host's Storage-queue trigger does, for labs that run no Functions:
/// receives messages in batches, decodes the relay's base64, calls <see cref="IngestQueueHandler.HandleAsync"/> and
/// deletes a message that was handled. A failed message is left for a retry after <see cref="QueueWorkerOptions.RetryDelay"/>;
/// once it has failed <see cref="QueueWorkerOptions.MaxDequeueCount"/> times it is recorded through
/// <see cref="IngestQueueHandler.HandlePoisonAsync"/> and moved to <c>&lt;queue&gt;-poison</c>. Both hosts share the
/// handler, so a dump is recorded the same, and counted once, whichever of them (or both) handled it.
/// </summary>
/// <remarks>
/// Two things differ from the trigger, both in what it costs rather than what it records: a body that is not an ingest
/// message (or not base64) goes to the poison queue at once, since retrying cannot cure it; and messages are handled one
/// at a time, in order, one line each.
/// </remarks>
internal sealed class IngestQueueWorker(
    QueueClient queue, QueueClient poisonQueue, IngestQueueHandler handler, QueueWorkerOptions options, TextWriter output, TextWriter errors,
    TimeProvider time)
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxErrorBackoff = TimeSpan.FromSeconds(30);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private bool _poisonQueueReady;

    /// <summary>What this run did so far.</summary>
    public QueueWorkerTally Tally { get; } = new();

    /// <summary>Works until <paramref name="cancellationToken"/> is cancelled (then returns normally, handing back any
    /// message it had not started) or, with <see cref="QueueWorkerOptions.Once"/>, until the queue is empty.</summary>
    /// <exception cref="RequestFailedException">The queue cannot be read (always with <see cref="QueueWorkerOptions.Once"/>;
    /// otherwise only when it does not exist: other errors are reported and retried with a backoff).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var idle = MinPollingInterval;
        var backoff = MinPollingInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(options.BatchSize, options.Lease, cancellationToken)).Value;
                    backoff = MinPollingInterval;
                }
                catch (RequestFailedException error) when (!options.Once && error.Status != 404)
                {
                    await errors.WriteLineAsync($"kdumpcloud ingest: cannot read the queue {queue.Name} ({error.Status} {error.ErrorCode}); trying again");
                    await Task.Delay(backoff, time, cancellationToken);
                    backoff = Min(backoff * 2, MaxErrorBackoff);
                    continue;
                }

                if (batch.Length == 0)
                {
                    if (options.Once && await IsEmptyAsync(cancellationToken))
                    {
                        return;
                    }

                    await Task.Delay(idle, time, cancellationToken);
                    idle = Min(idle * 2, options.MaxPollingInterval);
                    continue;
                }

                idle = MinPollingInterval;
                await HandleBatchAsync(batch, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: stop; what was not finished is handed back (HandleBatchAsync) or reappears after its lease.
        }
    }

    private async Task HandleBatchAsync(QueueMessage[] batch, CancellationToken cancellationToken)
    {
        var leasedAt = time.GetTimestamp();
        for (var i = 0; i < batch.Length; i++)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var popReceipt = batch[i].PopReceipt;
                if (time.GetElapsedTime(leasedAt) > options.Lease / 2)
                {
                    // The batch has taken a while: renew this message's lease before starting it.
                    popReceipt = await SetVisibilityAsync(batch[i].MessageId, popReceipt, options.Lease, cancellationToken);
                    if (popReceipt is null)
                    {
                        continue; // its lease ran out and another receive has it
                    }
                }

                await HandleAsync(batch[i], popReceipt, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await HandBackAsync(batch.AsMemory(i));
                throw;
            }
        }
    }

    private async Task HandleAsync(QueueMessage message, string popReceipt, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var raw = message.Body.ToString();
        var attempts = (int)Math.Min(message.DequeueCount, int.MaxValue);
        if (!TryDecode(raw, out var body))
        {
            await PoisonAsync(message, popReceipt, raw, raw, attempts, "the message is not base64-encoded UTF-8 (the relay's encoding)", started, cancellationToken);
            return;
        }

        if (attempts > QueueWorkerOptions.MaxDequeueCount)
        {
            // It was received that often without being finished (a worker stopped mid-way each time): as the trigger does.
            await PoisonAsync(message, popReceipt, raw, body, QueueWorkerOptions.MaxDequeueCount, "dequeued more often than maxDequeueCount", started, cancellationToken);
            return;
        }

        try
        {
            var report = await handler.HandleAsync(body, cancellationToken);
            await DeleteAsync(message.MessageId, popReceipt, cancellationToken);
            Tally.Processed++;
            var group = report.Group;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{IngestCommand.Outcome(report),-15} {group.Id}  count {group.Count}  {Milliseconds(started)} ms  {group.Signature}  {report.Occurrence.FileName}"));
        }
        catch (InvalidIngestMessageException error)
        {
            await PoisonAsync(message, popReceipt, raw, body, attempts, error.Message, started, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (attempts >= QueueWorkerOptions.MaxDequeueCount)
            {
                await PoisonAsync(message, popReceipt, raw, body, attempts, error.Message, started, cancellationToken);
                return;
            }

            Tally.Failed++;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{"failed",-15} attempt {attempts} of {QueueWorkerOptions.MaxDequeueCount}  {Milliseconds(started)} ms  {Label(message, body)}: {error.Message}"));
            await SetVisibilityAsync(message.MessageId, popReceipt, options.RetryDelay, cancellationToken);
        }
    }

    /// <summary>Records the message as a failed occurrence, then moves it to the poison queue. Recording comes first,
    /// so a move that fails leaves the message to come back (and be recorded once) rather than be lost.</summary>
    private async Task PoisonAsync(QueueMessage message, string popReceipt, string raw, string body, int attempts, string why, long started,
        CancellationToken cancellationToken)
    {
        try
        {
            var report = await handler.HandlePoisonAsync(body, attempts, cancellationToken);
            if (!_poisonQueueReady)
            {
                await poisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                _poisonQueueReady = true;
            }

            await poisonQueue.SendMessageAsync(raw, cancellationToken);
            await DeleteAsync(message.MessageId, popReceipt, cancellationToken);
            Tally.Poisoned++;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{"poisoned",-15} {report.Group.Id}  after {attempts} {(attempts == 1 ? "attempt" : "attempts")}  {Milliseconds(started)} ms  {Label(message, body)}: {why}"));
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Tally.Failed++;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{"failed",-15} to record or move to {poisonQueue.Name}  {Milliseconds(started)} ms  {Label(message, body)}: {error.Message}"));
            await SetVisibilityAsync(message.MessageId, popReceipt, options.RetryDelay, cancellationToken);
        }
    }

    private async Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            // Its lease ran out and it was received again (or is gone): the next delivery finds it recorded, counts once.
        }
    }

    /// <summary>Hides the message for <paramref name="visibility"/> from now; its new pop receipt, or null when this
    /// worker no longer holds it.</summary>
    private async Task<string?> SetVisibilityAsync(string messageId, string popReceipt, TimeSpan visibility, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await queue.UpdateMessageAsync(messageId, popReceipt, (BinaryData?)null, visibility, cancellationToken);
            return receipt.Value.PopReceipt;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    /// <summary>On Ctrl+C: makes the messages this worker had not finished visible again at once, briefly and best effort
    /// (their lease would otherwise keep them hidden for minutes).</summary>
    private async Task HandBackAsync(ReadOnlyMemory<QueueMessage> messages)
    {
        using var brief = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        foreach (var message in messages.ToArray())
        {
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, (BinaryData?)null, TimeSpan.Zero, brief.Token);
            }
            catch (Exception error) when (error is RequestFailedException or OperationCanceledException)
            {
                // left to its lease
            }
        }
    }

    /// <summary>Whether nothing is left: the count includes messages waiting for a retry or held by another worker.</summary>
    private async Task<bool> IsEmptyAsync(CancellationToken cancellationToken) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount == 0;

    /// <summary>Decodes base64 text to UTF-8; linear in its length, which the service bounds (64 KiB).</summary>
    internal static bool TryDecode(string raw, out string body)
    {
        var bytes = new byte[(raw.Length / 4 * 3) + 3];
        if (Convert.TryFromBase64String(raw, bytes, out var written))
        {
            try
            {
                body = StrictUtf8.GetString(bytes, 0, written);
                return true;
            }
            catch (DecoderFallbackException)
            {
            }
        }

        body = string.Empty;
        return false;
    }

    private static string Label(QueueMessage message, string body)
    {
        try
        {
            var parsed = IngestQueueHandler.Parse(body);
            return $"{parsed.FileName} ({parsed.DumpId})";
        }
        catch (InvalidIngestMessageException)
        {
            return $"message {message.MessageId}";
        }
    }

    private string Milliseconds(long started) => time.GetElapsedTime(started).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>Counts for the summary line.</summary>
internal sealed class QueueWorkerTally
{
    /// <summary>Messages handled and deleted (a redelivery of a recorded dump included).</summary>
    public int Processed { get; set; }

    /// <summary>Attempts that failed and were left for a retry.</summary>
    public int Failed { get; set; }

    /// <summary>Messages recorded as failed and moved to the poison queue.</summary>
    public int Poisoned { get; set; }
}
