using System.Diagnostics;

namespace KDumpCloud.Ingest.Telemetry;

/// <summary>One ingest stage: its span (a child of the current one) and its time on the stage histogram.</summary>
internal readonly struct IngestStage : IDisposable
{
    private readonly IngestMetrics _metrics;
    private readonly string _stage;
    private readonly long _started;

    private IngestStage(IngestMetrics metrics, string stage, Activity? activity)
    {
        _metrics = metrics;
        _stage = stage;
        _started = Stopwatch.GetTimestamp();
        Activity = activity;
    }

    public Activity? Activity { get; }

    public static IngestStage Start(IngestMetrics metrics, string stage, ActivityKind kind = ActivityKind.Internal) =>
        new(metrics, stage, IngestActivities.Source.StartActivity(StageSpan(stage), kind));

    public void Dispose()
    {
        _metrics.Stage(_stage, Stopwatch.GetElapsedTime(_started));
        Activity?.Dispose();
    }

    private static string StageSpan(string stage) => stage == IngestTags.Stages.Publish ? IngestActivities.Publish : "ingest." + stage;
}
