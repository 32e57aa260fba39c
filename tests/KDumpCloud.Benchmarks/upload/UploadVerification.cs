using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace KDumpCloud.Benchmarks.Upload;

/// <summary>
/// Checks a relay's uploads against its journals: each dump's blob is there with the journal's length and SHA-256
/// (and the sender's, when given), and the queue holds exactly one ingest message for it. Messages are received with
/// a long visibility timeout and left on the queue, so run it once per queue.
/// </summary>
internal static class UploadVerification
{
    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var connectionString = arguments.Required("connection-string");
        var container = new BlobContainerClient(connectionString, arguments.Required("container"));
        var queue = new QueueClient(connectionString, arguments.Required("queue"),
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var expected = arguments.Optional("expected") is { } path ? ReadExpected(path) : [];

        var journals = Directory.GetFiles(arguments.Required("journals"), "*.json")
            .Select(JournalSnapshot.TryRead)
            .OfType<JournalSnapshot>()
            .OrderBy(j => j.FileName, StringComparer.Ordinal)
            .ToList();
        var messages = await ReceiveAllAsync(queue);

        var identical = 0;
        var oneMessage = 0;
        foreach (var journal in journals)
        {
            var (length, sha256) = journal.UploadBlob is { } name ? await HashBlobAsync(container.GetBlobClient(name)) : (-1, "-");
            var sender = expected.GetValueOrDefault(journal.FileName, "-");
            var count = messages.Count(m => IngestMessageText.IsAbout(m, journal.DumpId));
            var same = length == journal.FileLength && sha256 == journal.Sha256 && (sender == "-" || sender == sha256);
            identical += same ? 1 : 0;
            oneMessage += count == 1 ? 1 : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dump {journal.FileName} upload {journal.UploadState ?? "-"} blob-bytes {length} file-bytes {journal.FileLength} " +
                $"blob-sha {sha256} journal-sha {journal.Sha256 ?? "-"} sender-sha {sender} messages {count} {(same && count == 1 ? "ok" : "MISMATCH")}"));
        }

        var missing = expected.Keys.Count(name => journals.All(j => j.FileName != name));
        var lastEof = journals.Max(j => j.FinishedAt);
        var lastSent = journals.Where(j => j.UploadState == "sent").Max(j => j.UploadUpdatedAt);
        var drain = lastEof is { } eof && lastSent is { } sent ? (sent - eof).TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verify dumps {journals.Count} identical {identical} one-message {oneMessage} messages {messages.Count} " +
            $"missing-journals {missing} last-eof-to-last-sent {drain}"));
        return identical == journals.Count && oneMessage == journals.Count && messages.Count == journals.Count && missing == 0 ? 0 : 1;
    }

    /// <summary>The sender's <c>name sha256</c> lines.</summary>
    private static Dictionary<string, string> ReadExpected(string path) =>
        File.ReadLines(path)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 2)
            .ToDictionary(fields => fields[0], fields => fields[1], StringComparer.Ordinal);

    private static async Task<(long Length, string Sha256)> HashBlobAsync(BlobClient blob)
    {
        try
        {
            await using var content = await blob.OpenReadAsync();
            using var sha = SHA256.Create();
            var hash = await sha.ComputeHashAsync(content);
            return (content.Length, Convert.ToHexStringLower(hash));
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return (-1, "no-blob");
        }
    }

    /// <summary>Every message on the queue, decoded.</summary>
    private static async Task<List<string>> ReceiveAllAsync(QueueClient queue)
    {
        var all = new List<string>();
        try
        {
            while (true)
            {
                QueueMessage[] received = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(30))).Value;
                if (received.Length == 0)
                {
                    return all;
                }

                all.AddRange(received.Select(m => IngestMessageText.Decode(m.Body.ToString())));
            }
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return all; // no queue: nothing was ever sent
        }
    }
}
