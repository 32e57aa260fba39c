using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Queues;
using KDumpCloud.Functions.Tests.Support;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Queue;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Functions.Tests;

/// <summary>
/// The Function's two triggers (<see cref="IngestFunctions"/>, the real class) run by the real Storage-queue listener:
/// the WebJobs SDK host in this process with the Storage Queues extension, its connection named <c>KDumpStorage</c>,
/// base64 messages and the poison policy of host.json (5 dequeues), against this class's own Azurite. The dumps are
/// files and the store is SQLite here, so what is under test is the trigger path: delivery, redelivery, a corrupt
/// dump, and a message that fails five times, lands in the poison queue and is recorded.
/// </summary>
public sealed class QueueTriggerFunctionTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>, IDisposable
{
    private const string Panic = """
        panic(cpu 2 caller 0xffffff801a2b3c4d): "zone_require failed: address not in zone [kalloc.48]"@/AppleInternal/Library/BuildRoots/abc/Library/Caches/com.apple.xbs/Sources/xnu/osfmk/kern/zalloc.c:1234
        Backtrace (CPU 2), Frame : Return Address
        0xffffffa0b1c2d3e0 : 0xffffff801a0a1b2c mach_kernel : _handle_debugger_trap + 0x4a0

        Mac OS version:
        21G115

        Kernel version:
        Darwin Kernel Version 21.6.0: Mon Aug 22 20:17:10 PDT 2022; root:xnu-8020.140.49~2/RELEASE_X86_64
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("kdumpcloud-functions-").FullName;

    [Fact]
    public async Task GoodMessage_IsRecordedAndDeleted()
    {
        var message = Dump("paniclog-good", Encoding.UTF8.GetBytes(Panic));
        await using var host = await StartAsync();

        await host.SendAsync(message);

        var occurrence = await host.WaitForOccurrenceAsync(message.DumpId);
        Assert.Equal(OccurrenceStatus.Decoded, occurrence.Status);
        Assert.Equal("21G115", occurrence.OsBuild);
        await host.WaitUntilQueueEmptyAsync();
        Assert.Equal(0, await host.PoisonCountAsync());
    }

    [Fact]
    public async Task RedeliveredMessage_CountsOnce()
    {
        var message = Dump("paniclog-twice", Encoding.UTF8.GetBytes(Panic));
        await using var host = await StartAsync();

        await host.SendAsync(message);
        var occurrence = await host.WaitForOccurrenceAsync(message.DumpId);
        await host.SendAsync(message);
        await host.WaitUntilQueueEmptyAsync();

        Assert.Equal(1, (await host.Store.FindGroupAsync(occurrence.GroupId))!.Count);
        Assert.Equal(0, await host.PoisonCountAsync());
    }

    [Fact]
    public async Task CorruptDump_IsRecordedWithoutAPanic_NotRetried()
    {
        var garbage = new byte[50_000];
        new Random(7).NextBytes(garbage);
        var message = Dump("core-garbage", garbage);
        await using var host = await StartAsync();

        await host.SendAsync(message);

        var occurrence = await host.WaitForOccurrenceAsync(message.DumpId);
        Assert.Equal(OccurrenceStatus.NoPanic, occurrence.Status);
        Assert.Equal(WellKnownGroups.NoPanic, occurrence.GroupId);
        await host.WaitUntilQueueEmptyAsync();
        Assert.Equal(0, await host.PoisonCountAsync());
    }

    [Fact]
    public async Task MessageThatFailsFiveTimes_GoesToPoisonAndIsRecordedAsFailed()
    {
        var message = Dump("paniclog-vanished", Encoding.UTF8.GetBytes(Panic));
        File.Delete(message.BlobUri.LocalPath);
        await using var host = await StartAsync();

        await host.SendAsync(message);

        var occurrence = await host.WaitForOccurrenceAsync(message.DumpId);
        Assert.Equal(OccurrenceStatus.Failed, occurrence.Status);
        Assert.Equal(WellKnownGroups.IngestFailed, occurrence.GroupId);
        Assert.Contains(occurrence.Warnings, w => w.Contains("failed 5 times", StringComparison.Ordinal));
        Assert.Equal(IngestFunctions.MaxDequeueCount, host.Attempts(message.DumpId));
    }

    [Fact]
    public async Task MessageThatIsNotAnIngestMessage_IsRecordedFromThePoisonQueue()
    {
        const string Body = "{\"hello\": \"this is not an ingest message\"}";
        await using var host = await StartAsync();

        await host.SendRawAsync(Body);

        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(Body)).AsSpan(0, 16));
        var occurrence = await host.WaitForOccurrenceAsync(id);
        Assert.Equal(OccurrenceStatus.Failed, occurrence.Status);
        Assert.Contains(occurrence.Warnings, w => w.Contains("this is not an ingest message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TracedMessage_TheIngestContinuesTheDumpsTraceUnderTheListener()
    {
        using var spans = new IngestSpans();
        var traceParent = IngestSpans.NewTraceParent(out var traceId, out var relaySpan);
        var message = Dump("paniclog-traced", Encoding.UTF8.GetBytes(Panic)) with { TraceParent = traceParent };
        await using var host = await StartAsync();

        await host.SendAsync(message);

        var occurrence = await host.WaitForOccurrenceAsync(message.DumpId);
        var ingest = await spans.WaitForAsync(traceId, IngestActivities.Ingest, 1);
        Assert.Equal(relaySpan, ingest[0].ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, ingest[0].Status);
        Assert.Equal(message.FileName, ingest[0].GetTagItem(IngestTags.FileName));
        Assert.Equal(occurrence.GroupId, ingest[0].GetTagItem(IngestTags.GroupId));
        Assert.Equal(IngestTags.Outcomes.New, ingest[0].GetTagItem(IngestTags.Outcome));
    }

    [Fact]
    public async Task TracedMessageThatFailsFiveTimes_EachAttemptFailsInTheTrace_ThePoisonRecordingIsCountedInIt()
    {
        using var spans = new IngestSpans();
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var poison = new MetricCollector<long>(factory, IngestMetrics.MeterName, IngestMetrics.Poison);
        using var messages = new MetricCollector<long>(factory, IngestMetrics.MeterName, IngestMetrics.Messages);
        var message = Dump("paniclog-traced-vanished", Encoding.UTF8.GetBytes(Panic)) with { TraceParent = IngestSpans.NewTraceParent(out var traceId, out var relaySpan) };
        File.Delete(message.BlobUri.LocalPath);
        await using var host = await StartAsync(new IngestMetrics(factory));

        await host.SendAsync(message);

        var occurrence = await host.WaitForOccurrenceAsync(message.DumpId);
        Assert.Equal(OccurrenceStatus.Failed, occurrence.Status);
        var attempts = await spans.WaitForAsync(traceId, IngestActivities.Ingest, IngestFunctions.MaxDequeueCount);
        Assert.All(attempts, attempt =>
        {
            Assert.Equal(relaySpan, attempt.ParentSpanId);
            Assert.Equal(ActivityStatusCode.Error, attempt.Status);
            Assert.Equal(typeof(DumpMissingException).FullName, attempt.GetTagItem(IngestTags.ErrorType));
        });
        var recorded = Assert.Single(await spans.WaitForAsync(traceId, IngestActivities.Poison, 1));
        Assert.Equal(relaySpan, recorded.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, recorded.Status);
        Assert.Equal(1, poison.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(IngestFunctions.MaxDequeueCount, messages.GetMeasurementSnapshot()
            .Where(m => m.Tags.TryGetValue(IngestTags.Outcome, out var outcome) && (string?)outcome == IngestTags.Outcomes.Error)
            .Sum(m => m.Value));
    }

    private IngestMessage Dump(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return new IngestMessage
        {
            DumpId = Guid.CreateVersion7(),
            BlobUri = FileDumpReader.UriFor(path),
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Complete = true,
            Client = "10.0.40.7:1069",
            FileName = name,
            RelayHost = "relay-under-test",
        };
    }

    private async Task<TriggerHost> StartAsync(IngestMetrics? metrics = null)
    {
        var host = new TriggerHost(azurite, Path.Combine(_folder, $"crashes-{Guid.NewGuid():n}.db"), metrics);
        await host.StartAsync();
        return host;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The WebJobs host running <see cref="IngestFunctions"/> over the ingest core.</summary>
    private sealed class TriggerHost(AzuriteServer azurite, string storePath, IngestMetrics? metrics = null) : IAsyncDisposable
    {
        private readonly AttemptCounter _attempts = new();
        private IHost? _host;

        public SqliteCrashStore Store { get; } = new(storePath, TimeProvider.System);

        private QueueClient Queue => new(azurite.ConnectionString, "dump-ingest", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

        private QueueClient Poison => new(azurite.ConnectionString, "dump-ingest-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

        public int Attempts(Guid dumpId) => _attempts.For(dumpId);

        public async Task StartAsync()
        {
            await Queue.CreateIfNotExistsAsync();
            await Poison.CreateIfNotExistsAsync();
            var ingestor = new DumpIngestor(new CountingReader(new FileDumpReader(), _attempts), Store, [], [],
                Options.Create(new IngestOptions()), TimeProvider.System, NullLogger<DumpIngestor>.Instance, metrics);
            var functions = new IngestFunctions(new IngestQueueHandler(ingestor, NullLogger<IngestQueueHandler>.Instance));
            using var starting = new CancellationTokenSource(Deadline);
            _host = await FunctionsUnderWebJobs.StartAsync(azurite.ConnectionString, functions, starting.Token);
        }

        public Task SendAsync(IngestMessage message) => SendRawAsync(message.ToJson());

        public async Task SendRawAsync(string body) => await Queue.SendMessageAsync(body);

        public async Task<Occurrence> WaitForOccurrenceAsync(Guid dumpId)
        {
            using var deadline = new CancellationTokenSource(Deadline);
            while (true)
            {
                if (await Store.FindOccurrenceAsync(dumpId) is { } occurrence)
                {
                    return occurrence;
                }

                await Task.Delay(100, deadline.Token);
            }
        }

        public async Task WaitUntilQueueEmptyAsync()
        {
            using var deadline = new CancellationTokenSource(Deadline);
            while ((await Queue.GetPropertiesAsync(deadline.Token)).Value.ApproximateMessagesCount > 0)
            {
                await Task.Delay(100, deadline.Token);
            }
        }

        public async Task<int> PoisonCountAsync() => (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        public async ValueTask DisposeAsync()
        {
            if (_host is not null)
            {
                using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _host.StopAsync(stopping.Token);
                _host.Dispose();
            }

            await Queue.DeleteIfExistsAsync();
            await Poison.DeleteIfExistsAsync();
        }
    }


    /// <summary>Counts how often each dump was opened, i.e. how often the trigger ran it.</summary>
    private sealed class AttemptCounter
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _counts = new();

        public void Add(Guid dumpId) => _counts.AddOrUpdate(dumpId, 1, (_, n) => n + 1);

        public int For(Guid dumpId) => _counts.GetValueOrDefault(dumpId);
    }

    private sealed class CountingReader(IDumpReader inner, AttemptCounter attempts) : IDumpReader
    {
        public Task<Stream> OpenAsync(IngestMessage message, CancellationToken cancellationToken)
        {
            attempts.Add(message.DumpId);
            return inner.OpenAsync(message, cancellationToken);
        }
    }
}
