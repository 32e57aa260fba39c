using System.Text;
using Azure.Storage.Queues.Models;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Queue;
using KDumpCloud.Relay.Ingest;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.EndToEnd;

/// <summary>
/// Issue 8 end to end on loopback with real corpus panics (<see cref="CorpusDumps"/>): <c>kdumpcloud send</c>'s client →
/// the relay → Azurite blob and queue → the ingest handler as the Function runs it (<c>AddKDumpIngest</c>, Blob and
/// Table adapters) → crash groups in Table Storage exactly as GROUPS.tsv says; and the same through the embedded relay
/// and SQLite. The queue is read as the wire carries it (base64 JSON), with nothing of the relay's message type.
/// </summary>
public sealed class CloudIngestEndToEndTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>, IDisposable
{
    private const int BlockSize = 64 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);
    private readonly List<string> _dataDirectories = [];

    [CorpusFact]
    public async Task CorpusPanics_ThroughRelayAzuriteAndTheQueueHandler_AreGroupedInTablesAsGroupsTsvSays()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, BlockSize);
        var dumps = CorpusDumps.All();
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: NewDataDirectory());

        await CorpusDumps.SendAllAsync(relay.EndPoint, dumps, deadline.Token);
        var journals = new Dictionary<CorpusDump, DumpJournal>();
        foreach (var dump in dumps)
        {
            journals[dump] = await UploadTarget.WaitUntilSentAsync(relay, dump.Name, timeoutMs: 90_000);
        }

        var bodies = await DrainAsync(target, deadline.Token);
        Assert.Equal(dumps.Count, bodies.Count);
        await using var ingest = IngestServices(target);
        var handler = ingest.GetRequiredService<IngestQueueHandler>();
        var reports = new List<CrashReport>();
        foreach (var body in bodies)
        {
            reports.Add(await handler.HandleAsync(body, deadline.Token));
        }

        // A redelivery of the first message: reported as such, and the group counts below show it counted once.
        Assert.True((await handler.HandleAsync(bodies[0], deadline.Token)).Redelivered);

        Assert.Equal(journals.Values.Select(journal => journal.DumpId).Order(), reports.Select(report => report.DumpId).Order());
        Assert.All(reports, report => Assert.False(report.Redelivered));
        Assert.Equal(dumps.Select(dump => dump.GroupId).Distinct().Count(), reports.Count(report => report.Outcome == IngestOutcome.NewGroup));
        var store = ingest.GetRequiredService<ICrashStore>();
        var occurrences = new Dictionary<CorpusDump, Occurrence>();
        foreach (var dump in dumps)
        {
            var journal = journals[dump];
            var occurrence = await store.FindOccurrenceAsync(journal.DumpId, deadline.Token);
            Assert.True(occurrence is not null, $"{dump.Name} ({journal.DumpId}) has no occurrence");

            // The occurrence points at the committed blob (a blob with only staged blocks has no properties).
            var blob = target.Blob(journal);
            Assert.Equal(blob.Uri.ToString(), occurrence.DumpLocation);
            var committed = (await blob.GetPropertiesAsync(cancellationToken: deadline.Token)).Value;
            Assert.Equal(journal.FileLength, committed.ContentLength);
            Assert.Equal(journal.Sha256, committed.Metadata["sha256"]);
            Assert.Equal(journal.Sha256, occurrence.Sha256);
            Assert.Equal(journal.FileLength, occurrence.DumpSize);
            Assert.Equal(journal.Client, occurrence.Client);
            Assert.Equal(dump.Name, occurrence.FileName);
            Assert.True(occurrence.Complete);
            occurrences[dump] = occurrence;
        }

        await CorpusDumps.AssertGroupedAsGroupsTsvSaysAsync(store, occurrences, deadline.Token);
    }

    /// <summary>EmbeddedIngestTests covers two GROUPS.tsv groups of paniclogs; this covers the same selection as the cloud
    /// test above: three groups, a gzip core among them, and two singletons that must stay apart.</summary>
    [CorpusFact]
    public async Task CorpusPanics_ThroughTheEmbeddedRelayAndSqlite_AreGroupedAsGroupsTsvSays()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var dumps = CorpusDumps.All();
        await using var relay = await RelayUnderTest.StartAsync(dataDirectory: NewDataDirectory());

        await CorpusDumps.SendAllAsync(relay.EndPoint, dumps, deadline.Token);

        var store = relay.Services.GetRequiredService<SqliteCrashStore>();
        var occurrences = new Dictionary<CorpusDump, Occurrence>();
        foreach (var dump in dumps)
        {
            var journal = await relay.WaitForJournalAsync(dump.Name, j => j.Ingest is not null, timeoutMs: 90_000);
            Assert.Equal(IngestStates.Recorded, journal.Ingest!.State);
            var occurrence = await store.FindOccurrenceAsync(journal.DumpId, deadline.Token);
            Assert.True(occurrence is not null, $"{dump.Name} ({journal.DumpId}) has no occurrence");
            Assert.Equal(journal.Ingest.GroupId, occurrence.GroupId);
            Assert.Equal(FileDumpReader.UriFor(relay.DumpPath(dump.Name)).ToString(), occurrence.DumpLocation);
            Assert.Equal(journal.Sha256, occurrence.Sha256);
            Assert.Equal(journal.FinishedAt, occurrence.ReceivedAt);
            occurrences[dump] = occurrence;
        }

        await CorpusDumps.AssertGroupedAsGroupsTsvSaysAsync(store, occurrences, deadline.Token);
    }

    /// <summary>The Function's services as Program.cs builds them, on this test's container and fresh tables.</summary>
    private ServiceProvider IngestServices(UploadTarget target)
    {
        var suffix = Guid.NewGuid().ToString("n")[..12];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KDumpStorage"] = azurite.ConnectionString,
            ["Ingest:Azure:DumpContainer"] = target.ContainerName,
            ["Ingest:Azure:GroupsTable"] = "groups" + suffix,
            ["Ingest:Azure:OccurrencesTable"] = "occurrences" + suffix,
        }).Build();
        return new ServiceCollection().AddLogging().AddKDumpIngest(configuration).BuildServiceProvider();
    }

    /// <summary>Every message body on the test's queue, as a queue trigger hands it over: base64 decoded to the JSON.</summary>
    private static async Task<List<string>> DrainAsync(UploadTarget target, CancellationToken cancellationToken)
    {
        var queue = target.RawQueue;
        var bodies = new List<string>();
        while (true)
        {
            QueueMessage[] received = (await queue.ReceiveMessagesAsync(32, cancellationToken: cancellationToken)).Value;
            if (received.Length == 0)
            {
                return bodies;
            }

            foreach (var message in received)
            {
                bodies.Add(Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString())));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
        }
    }

    private string NewDataDirectory()
    {
        var directory = RelayUnderTest.NewDataDirectory();
        _dataDirectories.Add(Path.GetDirectoryName(directory)!);
        return directory;
    }

    public void Dispose()
    {
        foreach (var directory in _dataDirectories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
