using System.Diagnostics;
using System.Diagnostics.Metrics;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Telemetry;

/// <summary>
/// The ingest's and the alerts' metrics (meter <see cref="MeterName"/>, created through <see cref="IMeterFactory"/> so
/// a host's, or a test's, listeners see its own). Names and units follow OpenTelemetry's conventions; every tag is
/// bounded (an outcome, a stage, a sink kind), never an id or a URL.
/// </summary>
public sealed class IngestMetrics
{
    public const string MeterName = "KDumpCloud.Ingest";

    /// <summary>Counter, <c>{message}</c>: messages ingested, by <see cref="IngestTags.Outcome"/> (an attempt that
    /// threw is <c>error</c>, with <see cref="IngestTags.ErrorType"/>).</summary>
    public const string Messages = "kdumpcloud.ingest.messages";

    /// <summary>Histogram, seconds: one message's ingest, by <see cref="IngestTags.Outcome"/>.</summary>
    public const string Duration = "kdumpcloud.ingest.duration";

    /// <summary>Histogram, seconds: one stage of an ingest, by <see cref="IngestTags.Stage"/>.</summary>
    public const string StageDuration = "kdumpcloud.ingest.stage.duration";

    /// <summary>Counter, <c>{message}</c>: dumps recorded as failed from the poison path.</summary>
    public const string Poison = "kdumpcloud.ingest.poison";

    /// <summary>Counter, <c>{group}</c>: crash groups created.</summary>
    public const string NewGroups = "kdumpcloud.ingest.groups.new";

    /// <summary>Counter, <c>{occurrence}</c>: regressions recorded.</summary>
    public const string Regressions = "kdumpcloud.ingest.regressions";

    /// <summary>Counter, <c>{alert}</c>: alerts (and digests) a sink took, by <see cref="IngestTags.SinkKind"/> and
    /// <see cref="IngestTags.AlertEvent"/>.</summary>
    public const string AlertsSent = "kdumpcloud.alerts.sent";

    /// <summary>Counter, <c>{alert}</c>: sends that failed (to be retried or refused) and alerts that expired, by
    /// <see cref="IngestTags.SinkKind"/>, <see cref="IngestTags.AlertEvent"/> and <see cref="IngestTags.Failure"/>.</summary>
    public const string AlertsFailed = "kdumpcloud.alerts.failed";

    private static readonly Lazy<IngestMetrics> Unscoped = new(() => new IngestMetrics(new Meter(MeterName)));

    private readonly Counter<long> _messages;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _poison;
    private readonly Counter<long> _newGroups;
    private readonly Counter<long> _regressions;
    private readonly Counter<long> _alertsSent;
    private readonly Counter<long> _alertsFailed;

    public IngestMetrics(IMeterFactory meterFactory)
        : this((meterFactory ?? throw new ArgumentNullException(nameof(meterFactory))).Create(MeterName))
    {
    }

    private IngestMetrics(Meter meter)
    {
        _messages = meter.CreateCounter<long>(Messages, "{message}", "Messages ingested, by outcome");
        _duration = meter.CreateHistogram<double>(Duration, "s", "Time to ingest one message");
        _stageDuration = meter.CreateHistogram<double>(StageDuration, "s", "Time of one ingest stage");
        _poison = meter.CreateCounter<long>(Poison, "{message}", "Dumps ingest gave up on, recorded as failed");
        _newGroups = meter.CreateCounter<long>(NewGroups, "{group}", "Crash groups created");
        _regressions = meter.CreateCounter<long>(Regressions, "{occurrence}", "Regressions recorded");
        _alertsSent = meter.CreateCounter<long>(AlertsSent, "{alert}", "Alerts and digests a sink took");
        _alertsFailed = meter.CreateCounter<long>(AlertsFailed, "{alert}", "Alert sends that failed, and alerts that expired");
    }

    /// <summary>For code built without a container (the CLI, tests): one process-wide meter, not a factory's.</summary>
    public static IngestMetrics Shared => Unscoped.Value;

    internal void Ingested(CrashReport report, TimeSpan elapsed)
    {
        var outcome = new KeyValuePair<string, object?>(IngestTags.Outcome, IngestActivities.OutcomeName(report));
        _messages.Add(1, outcome);
        _duration.Record(elapsed.TotalSeconds, outcome);
        if (report.Redelivered)
        {
            return;
        }

        if (report.Outcome == IngestOutcome.NewGroup)
        {
            _newGroups.Add(1);
        }
        else if (report.Outcome == IngestOutcome.Regression)
        {
            _regressions.Add(1);
        }
    }

    /// <summary>An attempt that threw; <paramref name="elapsed"/> is null when nothing was timed (a body that is not
    /// an ingest message).</summary>
    internal void Failed(Exception error, TimeSpan? elapsed)
    {
        var tags = new TagList
        {
            { IngestTags.Outcome, IngestTags.Outcomes.Error },
            { IngestTags.ErrorType, error.GetType().Name },
        };
        _messages.Add(1, tags);
        if (elapsed is { } time)
        {
            _duration.Record(time.TotalSeconds, tags);
        }
    }

    internal void PoisonRecorded() => _poison.Add(1);

    internal void Stage(string stage, TimeSpan elapsed) =>
        _stageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(IngestTags.Stage, stage));

    internal void AlertSent(AlertSinkKind kind, string alertEvent) =>
        _alertsSent.Add(1, new KeyValuePair<string, object?>(IngestTags.SinkKind, SinkKindName(kind)),
            new KeyValuePair<string, object?>(IngestTags.AlertEvent, alertEvent));

    internal void AlertFailed(AlertSinkKind kind, string alertEvent, string failure) =>
        _alertsFailed.Add(1, new KeyValuePair<string, object?>(IngestTags.SinkKind, SinkKindName(kind)),
            new KeyValuePair<string, object?>(IngestTags.AlertEvent, alertEvent),
            new KeyValuePair<string, object?>(IngestTags.Failure, failure));

    internal static string SinkKindName(AlertSinkKind kind) => kind switch
    {
        AlertSinkKind.Slack => "slack",
        AlertSinkKind.Teams => "teams",
        AlertSinkKind.Discord => "discord",
        _ => "json",
    };
}
