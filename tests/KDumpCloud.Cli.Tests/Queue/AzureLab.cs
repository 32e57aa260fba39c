using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using KDumpCloud.Cli.Commands;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Cli.Tests.Queue;

/// <summary>
/// One test's storage account on the shared Azurite, as a relay would have left it: a dump container with blobs, an
/// ingest queue with base64 messages, and the environment (<c>KDumpStorage</c> and the <c>Ingest:Azure</c> names,
/// unique to the test) that <c>kdumpcloud</c> reads.
/// </summary>
internal sealed class AzureLab
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public AzureLab(AzuriteServer azurite)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        QueueName = "ingest-" + suffix;
        Container = new BlobContainerClient(azurite.ConnectionString, "dumps-" + suffix);
        Queue = new QueueClient(azurite.ConnectionString, QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        RawQueue = new QueueClient(azurite.ConnectionString, QueueName);
        PoisonQueue = new QueueClient(azurite.ConnectionString, QueueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Environment = new Dictionary<string, string>
        {
            ["KDumpStorage"] = azurite.ConnectionString,
            ["Ingest__Azure__DumpContainer"] = Container.Name,
            ["Ingest__Azure__GroupsTable"] = "groups" + suffix,
            ["Ingest__Azure__OccurrencesTable"] = "occurrences" + suffix,
        };
    }

    public string QueueName { get; }

    public BlobContainerClient Container { get; }

    /// <summary>The ingest queue with the relay's encoding (base64).</summary>
    public QueueClient Queue { get; }

    /// <summary>The same queue without encoding, for messages the relay would never send.</summary>
    public QueueClient RawQueue { get; }

    public QueueClient PoisonQueue { get; }

    public IDictionary Environment { get; }

    public CancellationToken Token { get; } = new CancellationTokenSource(Deadline).Token;

    public async Task CreateQueueAsync() => await Queue.CreateIfNotExistsAsync(cancellationToken: Token);

    /// <summary>Uploads <paramref name="text"/> as a paniclog blob and returns the message the relay would send for it.</summary>
    public async Task<IngestMessage> UploadAsync(string name, string text, string client = "10.0.40.7:1069")
    {
        await Container.CreateIfNotExistsAsync(cancellationToken: Token);
        var content = Encoding.UTF8.GetBytes(text);
        var blob = Container.GetBlobClient($"2026/12/02/{Guid.NewGuid()}/{name}");
        await blob.UploadAsync(new BinaryData(content), Token);
        return new IngestMessage
        {
            DumpId = Guid.CreateVersion7(),
            BlobUri = blob.Uri,
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Complete = true,
            Client = client,
            FileName = name,
            RelayHost = "relay-under-test",
            Kind = "paniclog",
        };
    }

    public async Task SendAsync(IngestMessage message) => await Queue.SendMessageAsync(message.ToJson(), Token);

    public async Task<int> CountAsync(QueueClient queue) => (await queue.GetPropertiesAsync(Token)).Value.ApproximateMessagesCount;

    /// <summary><c>kdumpcloud</c> in process with this lab's environment.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        CommandLineTests.RunAsync(Environment, Token, args);

    /// <summary><c>kdumpcloud ingest --once</c> on this lab's queue.</summary>
    public Task<(int ExitCode, string Output, string Error)> DrainAsync(params string[] extra) =>
        RunAsync(["ingest", "--once", "--queue", QueueName, .. extra]);

    /// <summary>The Table store, opened as <c>crashes</c> opens it.</summary>
    public async Task<T> WithStoreAsync<T>(Func<ICrashStore, Task<T>> work)
    {
        await using var choice = CrashStoreFactory.OpenAzure(Environment);
        Assert.True(choice.Store is not null, choice.Problem);
        return await work(choice.Store);
    }

    /// <summary>Output lines, the summary last.</summary>
    public static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string GroupOf(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
}
