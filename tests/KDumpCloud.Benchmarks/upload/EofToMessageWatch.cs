using System.Globalization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace KDumpCloud.Benchmarks.Upload;

/// <summary>
/// Times one dump from EOF to its ingest message on the queue. EOF is the journal's <c>finishedAt</c> (the relay's
/// clock, which on the same machine is this process's); the message counts from the moment a receive first returns
/// it, polled every few milliseconds, so the figure is an upper bound by at most one poll. Messages received are
/// deleted, so give each watched relay a queue of its own. Also reports the relay's own record: the journal's
/// <c>upload.updatedAt</c> once <c>upload.state</c> is <c>sent</c>.
/// </summary>
internal static class EofToMessageWatch
{
    private static readonly TimeSpan JournalPoll = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var journalPath = arguments.Required("journal");
        var timeout = TimeSpan.FromSeconds(arguments.Number("timeout-seconds", 300));
        var poll = TimeSpan.FromMilliseconds(arguments.Number("poll-ms", 10));
        var queue = new QueueClient(arguments.Required("connection-string"), arguments.Required("queue"),
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

        var finished = await JournalSnapshot.WaitAsync(journalPath, j => j.FinishedAt is not null, JournalPoll, timeout);
        var seenAt = await WaitForMessageAsync(queue, finished.DumpId, poll, timeout);
        if (seenAt is null)
        {
            await Console.Error.WriteLineAsync($"no ingest message for {finished.FileName} ({finished.DumpId}) within {timeout.TotalSeconds:0} s");
            return 1;
        }

        var sent = await JournalSnapshot.WaitAsync(journalPath, j => j.UploadState == "sent", JournalPoll, timeout);
        var eof = finished.FinishedAt!.Value;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"watch dump {finished.FileName} bytes {sent.FileLength} eof-to-message {(seenAt.Value - eof).TotalSeconds:F3} " +
            $"eof-to-journal-sent {(sent.UploadUpdatedAt!.Value - eof).TotalSeconds:F3} finished-at {eof:O} message-seen-at {seenAt.Value:O}"));
        return 0;
    }

    private static async Task<DateTimeOffset?> WaitForMessageAsync(QueueClient queue, string dumpId, TimeSpan poll, TimeSpan timeout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < timeout)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            }
            catch (RequestFailedException error) when (error.Status == 404)
            {
                messages = []; // the relay creates the queue at its first upload
            }

            var now = TimeProvider.System.GetUtcNow();
            var found = false;
            foreach (var message in messages)
            {
                found |= IngestMessageText.IsAbout(IngestMessageText.Decode(message.Body.ToString()), dumpId);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }

            if (found)
            {
                return now;
            }

            await Task.Delay(poll, TimeProvider.System);
        }

        return null;
    }
}
