using Azure.Storage.Queues;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.TestSupport;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>
/// The relay's ingest message read by the real Storage-queue trigger: the WebJobs SDK host in this process, with the
/// Storage Queues extension, its connection named <c>KDumpStorage</c> and its default (base64) message encoding,
/// listening on <c>dump-ingest</c> in Azurite. This class has its own Azurite (a class fixture), so the fixed queue
/// name the Function will use is this test's alone.
/// </summary>
public sealed class QueueTriggerTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private const string QueueName = "dump-ingest";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RelayMessage_ReadByTheRealQueueTrigger_WithTheJournalsIdSizeHashAndBlob()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        DumpJournal journal;
        await using (var relay = await RelayUnderTest.StartAsync(target.Settings(new() { ["Upload:Queue"] = QueueName })))
        {
            using var mac = new RawKdumpPeer(relay.EndPoint);
            await mac.SendAllAsync("core-trigger-10.0.40.7", TestContent.Random(100_000, 51));
            journal = await UploadTarget.WaitUntilSentAsync(relay, "core-trigger-10.0.40.7");
        }

        var job = new IngestJob();
        var log = new CollectedLog();
        using var host = new HostBuilder()
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["KDumpStorage"] = azurite.ConnectionString,
            }))
            .ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues(queues =>
            {
                // MessageEncoding is left at its default, base64, as a host.json without extensions.queues leaves it.
                queues.MaxPollingInterval = TimeSpan.FromMilliseconds(200);
                queues.MaxDequeueCount = 1; // a failed run goes to the poison queue at once, not after 5 tries
            }))
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(log))
            .ConfigureServices(services =>
            {
                services.AddSingleton<IJobActivator>(new TheJob(job)); // the SDK's default activator makes a new one
                services.AddSingleton<ITypeLocator>(new OnlyTypes(typeof(IngestJob)));
            })
            .Build();
        try
        {
            await host.StartAsync(deadline.Token);
            if (await Task.WhenAny(job.Received.Task, Task.Delay(Timeout.Infinite, deadline.Token)) != job.Received.Task)
            {
                Assert.Fail($"The trigger did not fire within {Deadline}. The WebJobs host logged:\n" + log);
            }

            var fired = await job.Received.Task;

            Assert.Equal(journal.DumpId, fired.Message.DumpId);
            Assert.Equal(journal.FileLength, fired.Message.Size);
            Assert.Equal(100_000, fired.Message.Size);
            Assert.Equal(journal.Sha256, fired.Message.Sha256);
            Assert.Equal(target.Blob(journal).Uri, fired.Message.BlobUri);
            Assert.True(fired.Message.Complete);
            Assert.Equal(journal.FileName, fired.Message.FileName);
            Assert.Equal(journal.Client, fired.Message.Client);
            Assert.Equal("relay-under-test", fired.Message.RelayHost);
            Assert.NotNull(journal.FinishedAt);
            Assert.Equal(journal.FinishedAt, fired.Message.ReceivedAt);
            Assert.Equal(1, fired.DequeueCount);

            // The SDK binds the POCO with its own JSON (Newtonsoft); the decoded text also reads back with the
            // ingest contract's own System.Text.Json context, to the same record.
            Assert.StartsWith("{", fired.Text, StringComparison.Ordinal);
            Assert.Equal(fired.Message, IngestMessage.FromJson(fired.Text));
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(stopping.Token);
        }

        // A successful run deletes the message: nothing is left, visible or not, and nothing went to poison.
        var queue = new QueueClient(azurite.ConnectionString, QueueName);
        await Eventually.TrueAsync(
            () => queue.GetProperties().Value.ApproximateMessagesCount == 0, 10_000, "the message is still on the queue");
        var poison = new QueueClient(azurite.ConnectionString, QueueName + "-poison");
        Assert.False(await poison.ExistsAsync(deadline.Token) && (await poison.PeekMessagesAsync(cancellationToken: deadline.Token)).Value.Length > 0);
        Assert.Equal(1, job.Runs);
    }

    /// <summary>What the trigger gave the function.</summary>
    public sealed record Fired(IngestMessage Message, string Text, long DequeueCount);

    /// <summary>The Function's shape: the ingest contract's record bound by the queue trigger.</summary>
    public sealed class IngestJob
    {
        private int _runs;

        public TaskCompletionSource<Fired> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs => Volatile.Read(ref _runs);

        public void Run(
            [QueueTrigger(QueueName, Connection = "KDumpStorage")] IngestMessage message,
            string queueTrigger,
            long dequeueCount)
        {
            Interlocked.Increment(ref _runs);
            Received.TrySetResult(new Fired(message, queueTrigger, dequeueCount));
        }
    }

    /// <summary>The WebJobs host's log, kept to explain a trigger that never fired.</summary>
    private sealed class CollectedLog : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        public override string ToString() => string.Join('\n', _lines);

        private sealed class Logger(CollectedLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                log._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }

    /// <summary>Runs the functions on the test's own job object.</summary>
    private sealed class TheJob(IngestJob job) : IJobActivator
    {
        public T CreateInstance<T>() => job is T instance ? instance : throw new InvalidOperationException($"no job of type {typeof(T)}");
    }

    /// <summary>Indexes only the given job classes, not every type in the loaded assemblies.</summary>
    private sealed class OnlyTypes(params Type[] types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }
}
