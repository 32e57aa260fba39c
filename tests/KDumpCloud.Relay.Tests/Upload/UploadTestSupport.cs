using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>One test's own container and queue in the shared Azurite, and the relay settings that upload to them.</summary>
internal sealed class UploadTarget(AzuriteServer azurite, int blockSizeBytes)
{
    public string ContainerName { get; } = "dumps-" + Guid.NewGuid().ToString("n")[..12];

    public string QueueName { get; } = "ingest-" + Guid.NewGuid().ToString("n")[..12];

    public BlobContainerClient Container => new(azurite.ConnectionString, ContainerName);

    /// <summary>Reads messages as they are on the wire (no decoding), to check the encoding too.</summary>
    public QueueClient RawQueue => new(azurite.ConnectionString, QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    /// <summary>Settings with which a relay notices storage going away within a second or two (no SDK retries, short
    /// timeouts, a circuit that opens after two failures and probes every half second), for outage tests.</summary>
    public static Dictionary<string, string?> QuickToNoticeOutage => new()
    {
        ["Upload:Client:Retry:MaxRetries"] = "0",
        ["Upload:MaxRetryDelay"] = "00:00:00.500",
        ["Upload:OperationTimeout"] = "00:00:05",
        ["Upload:BreakerMinimumThroughput"] = "2",
        ["Upload:BreakDuration"] = "00:00:00.500",
    };

    public Dictionary<string, string?> Settings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["KDumpStorage"] = azurite.ConnectionString,
            ["Upload:Container"] = ContainerName,
            ["Upload:Queue"] = QueueName,
            ["Upload:BlockSizeBytes"] = blockSizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Upload:RetryDelay"] = "00:00:00.200",
            ["Upload:RelayHost"] = "relay-under-test",
            ["Relay:MaxDumpBytes"] = (blockSizeBytes * 10_000L).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    public static Task<DumpJournal> WaitUntilSentAsync(RelayUnderTest relay, string name, int timeoutMs = 15_000) =>
        relay.WaitForJournalAsync(name, journal => journal.Upload?.State == UploadStates.Sent, timeoutMs);

    /// <summary>Every message on the queue now (received, decoded from base64, and deleted).</summary>
    public async Task<List<(string Raw, IngestMessage Message)>> DrainAsync(CancellationToken cancellationToken)
    {
        var queue = RawQueue;
        var messages = new List<(string, IngestMessage)>();
        while (true)
        {
            QueueMessage[] received = (await queue.ReceiveMessagesAsync(32, cancellationToken: cancellationToken)).Value;
            if (received.Length == 0)
            {
                return messages;
            }

            foreach (var message in received)
            {
                var raw = message.Body.ToString();
                var json = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
                messages.Add((raw, IngestMessage.FromJson(json)!));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
        }
    }

    public BlockBlobClient Blob(DumpJournal journal) => Container.GetBlockBlobClient(journal.Upload!.Blob);

    /// <summary>For <see cref="RelayUnderTest.StartAsync"/>: the relay's log lines, Debug and up, kept in memory;
    /// read them with <see cref="Logs"/>.</summary>
    public static void CaptureLogs(IServiceCollection services) =>
        services.AddFakeLogging().AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug));

    /// <summary>The uploader's log lines so far (started with <see cref="CaptureLogs"/>), one per line, for a failed
    /// assertion to show what happened.</summary>
    public static string UploadLog(RelayUnderTest relay) => string.Join('\n', relay.Services.GetFakeLogCollector().GetSnapshot()
        .Where(record => record.Id.Id is >= 400 and < 500)
        .Select(record => $"{record.Timestamp:HH:mm:ss.fff} {record.Level} {record.Id.Id} {record.Message}"));

    /// <summary>The relay's log lines so far with this event id (started with <see cref="CaptureLogs"/>).</summary>
    public static IReadOnlyList<FakeLogRecord> Logs(RelayUnderTest relay, int eventId) =>
        [.. relay.Services.GetFakeLogCollector().GetSnapshot().Where(record => record.Id.Id == eventId)];
}
