using System.Diagnostics;
using System.Text;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Queue;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KDumpCloud.Ingest.Tests.Telemetry;

/// <summary>
/// The ingest's spans under the OpenTelemetry SDK (in-memory exporter) and its metrics (a meter listener), over real
/// files and SQLite: a message's traceparent is continued with a child per stage and the outcome; what went wrong
/// marks the span failed with the reason; the poison path is traced in the same trace and counted.
/// </summary>
public sealed class IngestTracingTests : IDisposable
{
    private readonly SpanRecorder _spans = new();
    private readonly MetricRecorder _metrics = new();
    private readonly RecordingPublisher _publisher = new();
    private readonly IngestCore _core;

    public IngestTracingTests() => _core = new IngestCore(_metrics.Metrics, [_publisher]);

    [Fact]
    public async Task Ingest_WithTraceParent_ContinuesTheDumpsTraceWithAChildPerStage()
    {
        var traceParent = SpanRecorder.NewTraceParent(out var traceId, out var relaySpan);
        var message = Dump("paniclog-xnu-6153.101.6-10.0.40.7-aa01", PanicTexts.Intel("tracedbug", 1)) with { TraceParent = traceParent };

        var report = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        var spans = _spans.InTrace(traceId);
        var ingest = Assert.Single(spans, s => s.OperationName == IngestActivities.Ingest);
        Assert.Equal(relaySpan, ingest.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, ingest.Kind);
        Assert.Equal(ActivityStatusCode.Unset, ingest.Status);
        Assert.Equal(message.DumpId.ToString("D"), ingest.GetTagItem(IngestTags.DumpId));
        Assert.Equal(message.FileName, ingest.GetTagItem(IngestTags.FileName));
        Assert.Equal("10.0.40.7:1069", ingest.GetTagItem(IngestTags.Client));
        Assert.Equal("10.0.40.7", ingest.GetTagItem(IngestTags.ClientAddress));
        Assert.Equal(message.Size, ingest.GetTagItem(IngestTags.Size));
        Assert.Equal(message.BlobUri.AbsoluteUri, ingest.GetTagItem(IngestTags.Blob));
        Assert.Equal(IngestTags.Outcomes.New, ingest.GetTagItem(IngestTags.Outcome));
        Assert.Equal(report.Occurrence.Fingerprint, ingest.GetTagItem(IngestTags.Fingerprint));
        Assert.Equal(report.Group.Id, ingest.GetTagItem(IngestTags.GroupId));

        var children = spans.Where(s => s.ParentSpanId == ingest.SpanId).ToDictionary(s => s.OperationName);
        Assert.Equal(
            new[] { IngestActivities.Read, IngestActivities.Extract, IngestActivities.Decode, IngestActivities.Verify, IngestActivities.Fingerprint,
                IngestActivities.Record, IngestActivities.Publish }.Order(),
            children.Keys.Order());
        Assert.All(children.Values, child => Assert.Equal(ActivityStatusCode.Unset, child.Status));
        var extract = children[IngestActivities.Extract];
        var decode = children[IngestActivities.Decode];
        Assert.Equal(extract.StartTimeUtc + extract.Duration, decode.StartTimeUtc); // one read, cut where the decoder stopped reading
        Assert.Equal(message.Size, extract.GetTagItem(IngestTags.BytesRead));
        Assert.Equal(report.Occurrence.Fingerprint, children[IngestActivities.Fingerprint].GetTagItem(IngestTags.Fingerprint));
        Assert.Equal(IngestTags.Outcomes.New, children[IngestActivities.Record].GetTagItem(IngestTags.Outcome));
        Assert.Equal(ActivityKind.Producer, children[IngestActivities.Publish].Kind);
        Assert.Equal(children[IngestActivities.Publish].SpanId, Assert.Single(_publisher.PublishedIn).SpanId);
    }

    [Fact]
    public async Task Ingest_RepeatAndRedelivery_SayTheirOutcomeAndAreCounted()
    {
        var first = Dump("paniclog-a", PanicTexts.Intel("countedbug", 1)) with { TraceParent = SpanRecorder.NewTraceParent(out _, out _) };
        var again = Dump("paniclog-b", PanicTexts.Intel("countedbug", 2)) with { TraceParent = SpanRecorder.NewTraceParent(out var againTrace, out _) };
        await _core.Ingestor.IngestAsync(first, CancellationToken.None);
        await _core.Ingestor.IngestAsync(again, CancellationToken.None);
        var redelivered = first with { TraceParent = SpanRecorder.NewTraceParent(out var redeliveredTrace, out _) };
        await _core.Ingestor.IngestAsync(redelivered, CancellationToken.None);

        Assert.Equal(IngestTags.Outcomes.Repeat,
            Assert.Single(_spans.InTrace(againTrace), s => s.OperationName == IngestActivities.Ingest).GetTagItem(IngestTags.Outcome));
        var redeliveredSpans = _spans.InTrace(redeliveredTrace);
        Assert.Equal(IngestTags.Outcomes.Redelivered,
            Assert.Single(redeliveredSpans, s => s.OperationName == IngestActivities.Ingest).GetTagItem(IngestTags.Outcome));
        Assert.DoesNotContain(redeliveredSpans, s => s.OperationName == IngestActivities.Read); // not read again

        Assert.Equal(1, _metrics.Sum(IngestMetrics.Messages, (IngestTags.Outcome, IngestTags.Outcomes.New)));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Messages, (IngestTags.Outcome, IngestTags.Outcomes.Repeat)));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Messages, (IngestTags.Outcome, IngestTags.Outcomes.Redelivered)));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.NewGroups));
        Assert.Equal(0, _metrics.Sum(IngestMetrics.Regressions));
        Assert.Equal(3, _metrics.Count(IngestMetrics.Duration));
        foreach (var stage in new[] { IngestTags.Stages.Read, IngestTags.Stages.Extract, IngestTags.Stages.Decode, IngestTags.Stages.Verify,
            IngestTags.Stages.Fingerprint, IngestTags.Stages.Record })
        {
            Assert.Equal(2, _metrics.Count(IngestMetrics.StageDuration, (IngestTags.Stage, stage)));
        }

        Assert.Equal(3, _metrics.Count(IngestMetrics.StageDuration, (IngestTags.Stage, IngestTags.Stages.Publish)));
        Assert.All(_metrics.Tags(IngestMetrics.Messages), tags => Assert.DoesNotContain(IngestTags.DumpId, tags.Keys));
    }

    [Fact]
    public async Task Ingest_RegressionOnANewBuild_IsCounted()
    {
        await _core.Ingestor.IngestAsync(Dump("paniclog-r1", PanicTexts.Intel("regressbug", 1)), CancellationToken.None);
        var newBuild = PanicTexts.Intel("regressbug", 2).Replace("19E287", "19F101", StringComparison.Ordinal);
        var report = await _core.Ingestor.IngestAsync(Dump("paniclog-r2", newBuild), CancellationToken.None);

        Assert.Equal(IngestOutcome.Regression, report.Outcome);
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Regressions));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Messages, (IngestTags.Outcome, IngestTags.Outcomes.Regression)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00-not-a-trace-01")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    public async Task Ingest_WithoutAUsableTraceParent_StartsANewTrace(string? traceParent)
    {
        var message = Dump("paniclog-root", PanicTexts.Intel("rootbug", 3)) with { TraceParent = traceParent };

        var report = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.Equal(IngestOutcome.NewGroup, report.Outcome);
        var ingest = Assert.Single(_spans.Named(IngestActivities.Ingest, IngestTags.DumpId, message.DumpId.ToString("D")));
        Assert.Equal(default, ingest.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, ingest.Status);
        Assert.Contains(_spans.InTrace(ingest.TraceId), s => s.OperationName == IngestActivities.Record && s.ParentSpanId == ingest.SpanId);
    }

    [Fact]
    public async Task Ingest_SizeThatDisagreesWithTheRelay_MarksTheSpanFailedWithTheReason()
    {
        var message = Dump("paniclog-short", PanicTexts.Intel("sizebug", 4));
        message = message with { Size = message.Size + 10, TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };

        await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        var spans = _spans.InTrace(traceId);
        var ingest = Assert.Single(spans, s => s.OperationName == IngestActivities.Ingest);
        Assert.Equal(ActivityStatusCode.Error, ingest.Status);
        Assert.Contains("size mismatch", ingest.StatusDescription, StringComparison.Ordinal);
        Assert.Equal("dump_mismatch", ingest.GetTagItem(IngestTags.ErrorType));
        var verify = Assert.Single(spans, s => s.OperationName == IngestActivities.Verify);
        Assert.Equal(ActivityStatusCode.Error, verify.Status);
        Assert.Equal(IngestTags.Outcomes.New, ingest.GetTagItem(IngestTags.Outcome)); // recorded all the same
    }

    [Fact]
    public async Task Ingest_NoPanicInTheDump_MarksTheDecodeAndIngestFailed()
    {
        var message = _core.Dump("core-nothing", new byte[4096]) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };

        var report = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.Equal(OccurrenceStatus.NoPanic, report.Occurrence.Status);
        var spans = _spans.InTrace(traceId);
        var ingest = Assert.Single(spans, s => s.OperationName == IngestActivities.Ingest);
        Assert.Equal(ActivityStatusCode.Error, ingest.Status);
        Assert.StartsWith("no panic found", ingest.StatusDescription, StringComparison.Ordinal);
        Assert.Equal(ActivityStatusCode.Error, Assert.Single(spans, s => s.OperationName == IngestActivities.Decode).Status);
    }

    [Fact]
    public async Task Ingest_MissingDump_FailsTheSpan_ThenThePoisonPathRecordsItInTheSameTraceAndCountsIt()
    {
        var message = Dump("paniclog-gone", PanicTexts.Intel("gonebug", 5)) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out var relaySpan) };
        File.Delete(message.BlobUri.LocalPath);

        await Assert.ThrowsAsync<DumpMissingException>(() => _core.Ingestor.IngestAsync(message, CancellationToken.None));

        var ingest = Assert.Single(_spans.InTrace(traceId), s => s.OperationName == IngestActivities.Ingest);
        Assert.Equal(ActivityStatusCode.Error, ingest.Status);
        Assert.False(string.IsNullOrEmpty(ingest.StatusDescription));
        Assert.Equal(typeof(DumpMissingException).FullName, ingest.GetTagItem(IngestTags.ErrorType));
        Assert.Contains(ingest.Events, e => e.Name == "exception");
        var read = Assert.Single(_spans.InTrace(traceId), s => s.OperationName == IngestActivities.Read);
        Assert.Equal(ActivityStatusCode.Error, read.Status);
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Messages, (IngestTags.Outcome, IngestTags.Outcomes.Error),
            (IngestTags.ErrorType, nameof(DumpMissingException))));

        var handler = new IngestQueueHandler(_core.Ingestor, NullLogger<IngestQueueHandler>.Instance);
        await handler.HandlePoisonAsync(message.ToJson(), attempts: 5, CancellationToken.None);
        await handler.HandlePoisonAsync(message.ToJson(), attempts: 5, CancellationToken.None); // the poison message redelivered

        var poison = _spans.InTrace(traceId).Where(s => s.OperationName == IngestActivities.Poison).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, poison.Count);
        Assert.All(poison, span =>
        {
            Assert.Equal(relaySpan, span.ParentSpanId);
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Contains("poison queue", span.StatusDescription, StringComparison.Ordinal);
        });
        Assert.Equal([IngestTags.Outcomes.Failed, IngestTags.Outcomes.Redelivered], poison.Select(s => s.GetTagItem(IngestTags.Outcome)));
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Poison)); // recorded once
    }

    [Fact]
    public async Task Poison_UnreadableBody_IsCounted()
    {
        var handler = new IngestQueueHandler(_core.Ingestor, NullLogger<IngestQueueHandler>.Instance);

        var report = await handler.HandlePoisonAsync("{ not json " + Guid.NewGuid(), attempts: 5, CancellationToken.None);

        Assert.Equal(OccurrenceStatus.Failed, report.Occurrence.Status);
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Poison));
        var poison = Assert.Single(_spans.Named(IngestActivities.Poison, IngestTags.DumpId, report.DumpId.ToString("D")));
        Assert.Equal(ActivityStatusCode.Error, poison.Status);
    }

    [Fact]
    public async Task Handle_BodyThatIsNotAnIngestMessage_FailsItsSpanAndCountsAnError()
    {
        var handler = new IngestQueueHandler(_core.Ingestor, NullLogger<IngestQueueHandler>.Instance, _metrics.Metrics);
        var parent = SpanRecorder.NewTraceParent(out var traceId, out _);
        using (var outer = new Activity("trigger").SetParentId(parent).Start())
        {
            await Assert.ThrowsAsync<InvalidIngestMessageException>(() => handler.HandleAsync("[1, 2, 3]", CancellationToken.None));
        }

        var ingest = Assert.Single(_spans.InTrace(traceId), s => s.OperationName == IngestActivities.Ingest);
        Assert.Equal(ActivityStatusCode.Error, ingest.Status);
        Assert.Contains("not an ingest message", ingest.StatusDescription, StringComparison.Ordinal);
        Assert.Equal(1, _metrics.Sum(IngestMetrics.Messages, (IngestTags.Outcome, IngestTags.Outcomes.Error),
            (IngestTags.ErrorType, nameof(InvalidIngestMessageException))));
    }

    [Fact]
    public async Task Publish_Failing_MarksThePublishAndIngestSpansFailedAndRethrows()
    {
        _publisher.Fail = true;
        var message = Dump("paniclog-pub", PanicTexts.Intel("pubbug", 6)) with { TraceParent = SpanRecorder.NewTraceParent(out var traceId, out _) };

        await Assert.ThrowsAsync<IOException>(() => _core.Ingestor.IngestAsync(message, CancellationToken.None));

        var spans = _spans.InTrace(traceId);
        var publish = Assert.Single(spans, s => s.OperationName == IngestActivities.Publish);
        Assert.Equal(ActivityStatusCode.Error, publish.Status);
        Assert.Equal("the topic is unreachable", publish.StatusDescription);
        Assert.Equal(ActivityStatusCode.Error, Assert.Single(spans, s => s.OperationName == IngestActivities.Ingest).Status);
    }

    public void Dispose()
    {
        _spans.Dispose();
        _metrics.Dispose();
        _core.Dispose();
    }

    private IngestMessage Dump(string fileName, string panic) => _core.Dump(fileName, Encoding.UTF8.GetBytes(panic));

    /// <summary>A publisher (the port, not an SDK) that notes the span it was called in, and can fail.</summary>
    private sealed class RecordingPublisher : IReportPublisher
    {
        public bool Fail { get; set; }

        public List<Activity> PublishedIn { get; } = [];

        public Task PublishAsync(CrashReport report, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new IOException("the topic is unreachable");
            }

            PublishedIn.Add(Activity.Current!);
            return Task.CompletedTask;
        }
    }
}
