using System.Diagnostics;
using System.Text;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Delivery;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.Ingest.Tests.Alerts;
using KDumpCloud.Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KDumpCloud.Ingest.Tests.Telemetry;

/// <summary>
/// A dump's alert in the dump's trace, end to end over a real SQLite store and a real webhook server on loopback: the
/// ingest records the decision with its traceparent, and the dispatcher's delivery span is the ingest span's child,
/// with each HTTP attempt (429, 500, then 200) an event; a refusal and a sink that is down mark the span failed with
/// the service's answer; the sent and failed counters say so by sink kind.
/// </summary>
public sealed class AlertTracingTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly SpanRecorder _spans = new();
    private readonly MetricRecorder _metrics = new();
    private WebhookServer _server = null!;

    public async Task InitializeAsync() => _server = await WebhookServer.StartAsync();

    [Fact]
    public async Task Delivery_IsAChildOfTheIngestSpan_WithEachRetriedAttemptAsAnEvent()
    {
        _server.Script("/retried", Answer.Status429("0"), new Answer(500, "boom"));
        var (ingestor, dispatcher) = Pipeline("/retried");
        var message = Dump("paniclog-alerted", PanicTexts.Intel("alertbug", 1)) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };

        await ingestor.IngestAsync(message, CancellationToken.None);
        var results = await dispatcher.DispatchAllAsync(CancellationToken.None);

        Assert.Equal(1, results[0][DeliveryState.Delivered]);
        Assert.Equal(3, _server.Requests("/retried").Count);
        var spans = _spans.InTrace(traceId);
        var ingest = Assert.Single(spans, s => s.OperationName == IngestActivities.Ingest);
        var deliver = Assert.Single(spans, s => s.OperationName == IngestActivities.Deliver);
        Assert.Equal(ingest.SpanId, deliver.ParentSpanId);
        Assert.Equal(ActivityKind.Client, deliver.Kind);
        Assert.Equal(ActivityStatusCode.Unset, deliver.Status);
        Assert.Equal("json", deliver.GetTagItem(IngestTags.SinkKind));
        Assert.Equal("new", deliver.GetTagItem(IngestTags.AlertEvent));
        Assert.Equal("delivered", deliver.GetTagItem(IngestTags.DeliveryState));
        Assert.Equal(200, deliver.GetTagItem(IngestTags.HttpStatus));
        Assert.Equal(message.DumpId.ToString("D"), deliver.GetTagItem(IngestTags.DumpId));
        Assert.DoesNotContain(deliver.TagObjects, tag => tag.Value is string text && text.Contains(_server.BaseAddress.Authority, StringComparison.Ordinal));

        var attempts = deliver.Events.Where(e => e.Name == IngestActivities.AttemptEvent).ToList();
        Assert.Equal([1, 2, 3], attempts.Select(e => Tag(e, IngestTags.Attempt)));
        Assert.Equal([429, 500, 200], attempts.Select(e => Tag(e, IngestTags.HttpStatus)));
        Assert.Equal(0.0, Tag(attempts[0], IngestTags.RetryAfter));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.AlertsSent, (IngestTags.SinkKind, "json"), (IngestTags.AlertEvent, "new")));
        Assert.Equal(0, _metrics.Sum(IngestMetrics.AlertsFailed));
    }

    [Fact]
    public async Task Refusal_MarksTheDeliveryFailedWithTheAnswer_AndCountsIt()
    {
        _server.Default("/refused", new Answer(400, "invalid_payload"));
        var (ingestor, dispatcher) = Pipeline("/refused");
        var message = Dump("paniclog-refused", PanicTexts.Intel("refusedbug", 2)) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };

        await ingestor.IngestAsync(message, CancellationToken.None);
        await dispatcher.DispatchAllAsync(CancellationToken.None);

        var deliver = Assert.Single(_spans.InTrace(traceId), s => s.OperationName == IngestActivities.Deliver);
        Assert.Equal(ActivityStatusCode.Error, deliver.Status);
        Assert.Contains("invalid_payload", deliver.StatusDescription, StringComparison.Ordinal);
        Assert.Equal("rejected", deliver.GetTagItem(IngestTags.ErrorType));
        Assert.Equal(400, Tag(Assert.Single(deliver.Events, e => e.Name == IngestActivities.AttemptEvent), IngestTags.HttpStatus));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.AlertsFailed, (IngestTags.SinkKind, "json"), (IngestTags.Failure, "rejected")));
        Assert.Equal(0, _metrics.Sum(IngestMetrics.AlertsSent));
    }

    [Fact]
    public async Task SinkDown_EachPassIsASpanInTheTrace_MarkedToRetry()
    {
        _server.Default("/down", new Answer(503, "maintenance"));
        var (ingestor, dispatcher) = Pipeline("/down", maxRetries: 1);
        var message = Dump("paniclog-down", PanicTexts.Intel("downbug", 3)) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };

        await ingestor.IngestAsync(message, CancellationToken.None);
        await dispatcher.DispatchAllAsync(CancellationToken.None);

        var deliver = Assert.Single(_spans.InTrace(traceId), s => s.OperationName == IngestActivities.Deliver);
        Assert.Equal(ActivityStatusCode.Error, deliver.Status);
        Assert.Equal("retry_later", deliver.GetTagItem(IngestTags.ErrorType));
        Assert.Equal("waiting", deliver.GetTagItem(IngestTags.DeliveryState));
        Assert.Equal([503, 503], deliver.Events.Where(e => e.Name == IngestActivities.AttemptEvent).Select(e => Tag(e, IngestTags.HttpStatus)));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.AlertsFailed, (IngestTags.Failure, "retry_later")));
    }

    [Fact]
    public async Task Digest_IsLinkedToTheTracesOfTheAlertsItCarries()
    {
        var (ingestor, dispatcher) = Pipeline("/digest", maxPerMinute: 2);
        var traces = new List<ActivityTraceId>();
        for (var i = 0; i < 3; i++)
        {
            var message = Dump($"paniclog-digest-{i}", PanicTexts.Intel($"digestbug{i}", i)) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };
            traces.Add(traceId);
            await ingestor.IngestAsync(message, CancellationToken.None);
        }

        var result = await dispatcher.DispatchAllAsync(CancellationToken.None);

        Assert.Equal(1, result[0][DeliveryState.Delivered]);
        Assert.Equal(2, result[0][DeliveryState.Digested]);
        var delivered = Assert.Single(_spans.InTrace(traces[0]), s => s.OperationName == IngestActivities.Deliver);
        Assert.Equal(Assert.Single(_spans.InTrace(traces[0]), s => s.OperationName == IngestActivities.Ingest).SpanId, delivered.ParentSpanId);
        var digest = Assert.Single(_spans.Named(IngestActivities.Digest, IngestTags.SinkId, dispatcher.Sinks[0].Id));
        Assert.Equal(2, digest.GetTagItem(IngestTags.AlertsInDigest));
        Assert.Equal(traces.Skip(1).Select(t => t.ToHexString()).Order(), digest.Links.Select(l => l.Context.TraceId.ToHexString()).Order());
        Assert.Equal(1, _metrics.Sum(IngestMetrics.AlertsSent, (IngestTags.AlertEvent, "digest")));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.AlertsSent, (IngestTags.AlertEvent, "new")));
    }

    [Fact]
    public async Task AlertRecordedOutsideATrace_HasNoTraceParent_AndItsDeliveryIsARoot()
    {
        var (_, dispatcher) = Pipeline("/untraced");
        var outbox = Outbox();
        var occurrence = TestOccurrences.For("untraced" + Guid.NewGuid().ToString("N"));

        // A recording with no span around it (a regrouping, a tool): nothing to join.
        await new SqliteCrashStore(StorePath, TimeProvider.System, outbox).RecordAsync(occurrence);

        var alert = Assert.Single(await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 10, CancellationToken.None));
        Assert.Null(alert.TraceParent);
        await dispatcher.DispatchAllAsync(CancellationToken.None);
        var deliver = Assert.Single(_spans.Named(IngestActivities.Deliver, IngestTags.DumpId, occurrence.DumpId.ToString("D")));
        Assert.Equal(default, deliver.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, deliver.Status);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _spans.Dispose();
        _metrics.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private static object? Tag(ActivityEvent e, string name) => e.Tags.FirstOrDefault(t => t.Key == name).Value;

    private string StorePath => Path.Combine(_directory.Path, SqliteCrashStore.FileName);

    private AlertOptions Options(string path, int maxRetries, int maxPerMinute) => new()
    {
        MaxRetries = maxRetries,
        MaxPerMinute = maxPerMinute,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        Webhooks = [new WebhookOptions { Kind = "json", Url = _server.Url(path) }],
    };

    private SqliteAlertOutbox Outbox() => new(StorePath, new AlertOptions());

    /// <summary>The ingest over SQLite recording alerts, and the dispatcher to one JSON sink, both on the real clock
    /// (Polly waits on it between attempts).</summary>
    private (DumpIngestor Ingestor, AlertDispatcher Dispatcher) Pipeline(string path, int maxRetries = 2, int maxPerMinute = 10)
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options(path, maxRetries, maxPerMinute));
        var outbox = new SqliteAlertOutbox(StorePath, options.Value);
        var store = new SqliteCrashStore(StorePath, TimeProvider.System, outbox);
        var ingestor = new DumpIngestor(new FileDumpReader(), store, [], [], Microsoft.Extensions.Options.Options.Create(new IngestOptions()),
            TimeProvider.System, NullLogger<DumpIngestor>.Instance, _metrics.Metrics);
        var sender = new WebhookSender(new PlainClients(), options, TimeProvider.System);
        return (ingestor, new AlertDispatcher(outbox, sender, options, TimeProvider.System, NullLogger<AlertDispatcher>.Instance, _metrics.Metrics));
    }

    private IngestMessage Dump(string fileName, string panic)
    {
        var path = Path.Combine(_directory.Path, fileName);
        var content = Encoding.UTF8.GetBytes(panic);
        File.WriteAllBytes(path, content);
        return new IngestMessage
        {
            DumpId = Guid.CreateVersion7(),
            BlobUri = FileDumpReader.UriFor(path),
            Size = content.Length,
            Complete = true,
            Client = "10.0.40.9:1069",
            FileName = fileName,
            RelayHost = "relay-under-test",
        };
    }

    private sealed class PlainClients : IHttpClientFactory
    {
        private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan };

        public HttpClient CreateClient(string name) => Client;
    }
}
