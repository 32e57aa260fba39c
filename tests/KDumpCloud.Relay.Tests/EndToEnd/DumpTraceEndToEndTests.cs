using System.Diagnostics;
using System.Net;
using KDumpCloud.Cli.Send;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Queue;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Telemetry;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KDumpCloud.Relay.Tests.EndToEnd;

/// <summary>
/// Issue 13 end to end on loopback: a panic log from the Mac's WRQ (real UDP) through the relay, Azurite's blob and
/// queue, the ingest handler as the Function runs it (<c>AddKDumpIngest</c> with Table Storage and a JSON webhook) and
/// the alert dispatcher to a real HTTP server is one trace, each stage's span under the one before it, exported by the
/// OpenTelemetry SDK. The trace context crosses the queue as the wire carries it (the message's <c>traceParent</c>).
/// Every tracer provider in this process hears every test's spans, so the test looks only at its own trace.
/// </summary>
public sealed class DumpTraceEndToEndTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>, IDisposable
{
    private const string Mac = "127.0.0.61";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private readonly SpanCapture _spans = new();
    private TracerProvider? _tracing;

    private TracerProvider Tracing() => _tracing ??= Sdk.CreateTracerProviderBuilder()
        .AddSource("KDumpCloud.*")
        .AddInMemoryExporter(_spans)
        .Build()!;

    [Fact]
    public async Task PanicLog_FromWrqToTheWebhook_IsOneTraceWithEachStageUnderTheOneBefore()
    {
        Tracing();
        using var deadline = new CancellationTokenSource(Deadline);
        await using var webhook = LoopbackWebhook.Start(HttpStatusCode.InternalServerError);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        const string name = "paniclog-xnu-11417.121.6-127.0.0.61-trace";

        var (message, _) = await SendThroughTheRelayAsync(target, name, deadline.Token);
        await using var ingest = IngestServices(target, webhook.Url);
        var report = await ingest.GetRequiredService<IngestQueueHandler>().HandleAsync(message.ToJson(), deadline.Token);
        Assert.Equal(IngestOutcome.NewGroup, report.Outcome);
        await DispatchUntilDeliveredAsync(ingest.GetRequiredService<AlertDispatcher>(), webhook, deadline.Token);

        // The relay's receive span is the root of the dump's trace, found by the file name the Mac sent.
        var receive = Assert.Single(Spans(RelayActivities.ReceiveSpanName, IngestTags.FileName, name));
        Assert.Equal(default, receive.ParentSpanId);
        Assert.Equal(message.DumpId.ToString("D"), receive.GetTagItem(IngestTags.DumpId));
        Assert.Equal(Mac, receive.GetTagItem("client.address"));
        var trace = InTrace(receive.TraceId);

        // Upload under receive; the message on the queue names the upload span; the ingest continues from it.
        var upload = Assert.Single(trace, span => span.OperationName == RelayActivities.UploadSpanName);
        Assert.Equal(receive.SpanId, upload.ParentSpanId);
        Assert.True(ActivityContext.TryParse(message.TraceParent, null, out var sent));
        Assert.Equal(upload.SpanId, sent.SpanId);
        var ingestSpan = Assert.Single(trace, span => span.OperationName == IngestActivities.Ingest);
        Assert.Equal(upload.SpanId, ingestSpan.ParentSpanId);
        Assert.Equal("new", ingestSpan.GetTagItem(IngestTags.Outcome));
        Assert.Equal(report.Group.Id, ingestSpan.GetTagItem(IngestTags.GroupId));
        foreach (var stage in new[] { IngestActivities.Read, IngestActivities.Decode, IngestActivities.Fingerprint, IngestActivities.Record })
        {
            Assert.Equal(ingestSpan.SpanId, Assert.Single(trace, span => span.OperationName == stage).ParentSpanId);
        }

        // The chat message: delivered on the second attempt (500, then 200), under the ingest that decided it.
        var delivery = Assert.Single(trace, span => span.OperationName == IngestActivities.Deliver);
        Assert.Equal(ingestSpan.SpanId, delivery.ParentSpanId);
        Assert.Equal(2, delivery.Events.Count(e => e.Name == IngestActivities.AttemptEvent));
        Assert.NotEqual(ActivityStatusCode.Error, delivery.Status);

        // Every span of the pipeline is in this one trace and none failed.
        Assert.All(trace, span => Assert.NotEqual(ActivityStatusCode.Error, span.Status));
        Assert.Equal(2, webhook.Requests);
    }

    [Fact]
    public async Task DumpGoneBeforeIngest_TheIngestSpanFailsWithTheReason_InTheDumpsTrace()
    {
        Tracing();
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        const string name = "paniclog-xnu-11417.121.6-127.0.0.61-gone";

        var (message, journal) = await SendThroughTheRelayAsync(target, name, deadline.Token);
        await target.Blob(journal).DeleteAsync(cancellationToken: deadline.Token);
        await using var ingest = IngestServices(target, webhookUrl: null);
        await Assert.ThrowsAnyAsync<Exception>(() => ingest.GetRequiredService<IngestQueueHandler>().HandleAsync(message.ToJson(), deadline.Token));

        var receive = Assert.Single(Spans(RelayActivities.ReceiveSpanName, IngestTags.FileName, name));
        var ingestSpan = Assert.Single(InTrace(receive.TraceId), span => span.OperationName == IngestActivities.Ingest);
        Assert.Equal(ActivityStatusCode.Error, ingestSpan.Status);
        Assert.False(string.IsNullOrEmpty(ingestSpan.StatusDescription));
        Assert.NotNull(ingestSpan.GetTagItem("error.type"));
        Assert.Equal(message.DumpId.ToString("D"), ingestSpan.GetTagItem(IngestTags.DumpId));
    }

    public void Dispose() => _tracing?.Dispose();

    private async Task<(IngestMessage Message, DumpJournal Journal)> SendThroughTheRelayAsync(UploadTarget target, string name,
        CancellationToken cancellationToken)
    {
        await using var relay = await RelayUnderTest.StartAsync(target.Settings());
        using (var mac = new RawKdumpPeer(relay.EndPoint, Mac))
        {
            await mac.SendAllAsync(name, ExamplePanic.Utf8);
        }

        var journal = await UploadTarget.WaitUntilSentAsync(relay, name, timeoutMs: 60_000);
        return (Assert.Single(await target.DrainAsync(cancellationToken)).Message, journal);
    }

    /// <summary>The Function's services as Program.cs builds them, on this test's container and fresh tables.</summary>
    private ServiceProvider IngestServices(UploadTarget target, string? webhookUrl)
    {
        var suffix = Guid.NewGuid().ToString("n")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["KDumpStorage"] = azurite.ConnectionString,
            ["Ingest:Azure:DumpContainer"] = target.ContainerName,
            ["Ingest:Azure:GroupsTable"] = "groups" + suffix,
            ["Ingest:Azure:OccurrencesTable"] = "occurrences" + suffix,
            ["Ingest:Azure:AlertsTable"] = "alerts" + suffix,
        };
        if (webhookUrl is not null)
        {
            settings["Alerts:Webhooks:0:Kind"] = "json";
            settings["Alerts:Webhooks:0:Url"] = webhookUrl;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddKDumpIngest(configuration).BuildServiceProvider();
    }

    private static async Task DispatchUntilDeliveredAsync(AlertDispatcher dispatcher, LoopbackWebhook webhook, CancellationToken cancellationToken)
    {
        while (webhook.Delivered.Count == 0)
        {
            await dispatcher.DispatchAllAsync(cancellationToken);
            await Task.Delay(100, cancellationToken);
        }
    }

    private IReadOnlyList<Activity> Spans(string name, string tag, string value) =>
        [.. _spans.Snapshot().Where(span => span.OperationName == name && Equals(span.GetTagItem(tag) as string, value))];

    private IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => [.. _spans.Snapshot().Where(span => span.TraceId == traceId)];
}
