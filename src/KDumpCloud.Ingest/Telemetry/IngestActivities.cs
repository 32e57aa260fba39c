using System.Diagnostics;
using System.Net;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Telemetry;

/// <summary>
/// The ingest's and the alerts' spans (activity source <see cref="SourceName"/>). One dump is one trace: the ingest of
/// its message continues the trace the relay started at the Mac's WRQ (<see cref="IngestMessage.TraceParent"/>), its
/// stages are children of <see cref="Ingest"/>, and each alert's delivery later joins it through the traceparent
/// stored with the alert in the outbox. With no listener (telemetry off) no activity is created.
/// </summary>
public static class IngestActivities
{
    public const string SourceName = "KDumpCloud.Ingest";

    /// <summary>The ingest of one message (kind Consumer): the dump's attributes and the outcome.</summary>
    public const string Ingest = "ingest";

    /// <summary>Opening the dump (the blob download's start, or the spool file).</summary>
    public const string Read = "ingest.read";

    /// <summary>Reading the dump until the decoder had its panic text (a core is scanned and inflated here).</summary>
    public const string Extract = "ingest.extract";

    /// <summary>Decoding the panic text, after the last byte the decoder read.</summary>
    public const string Decode = "ingest.decode";

    /// <summary>Reading the rest of the dump to check its size and SHA-256 against the message.</summary>
    public const string Verify = "ingest.verify";

    /// <summary>Building the occurrence: the fingerprint and its group.</summary>
    public const string Fingerprint = "ingest.fingerprint";

    /// <summary>Recording the occurrence in its group (and the decision to alert, in the same recording).</summary>
    public const string Record = "ingest.record";

    /// <summary>Sending the report on (kind Producer; the Service Bus topic in Azure), one per publisher.</summary>
    public const string Publish = "report.publish";

    /// <summary>Recording a dump that ingest gave up on (the poison path) as failed.</summary>
    public const string Poison = "ingest.poison";

    /// <summary>One alert's send to one sink (kind Client), a child of the dump's ingest; each HTTP attempt is an
    /// <see cref="AttemptEvent"/>.</summary>
    public const string Deliver = "alert.deliver";

    /// <summary>A digest's send to one sink, linked to each alert's trace.</summary>
    public const string Digest = "alert.digest";

    /// <summary>Event on <see cref="Deliver"/> and <see cref="Digest"/>: one HTTP attempt, with its status (or error)
    /// and the service's Retry-After.</summary>
    public const string AttemptEvent = "alert.attempt";

    public static ActivitySource Source { get; } = new(SourceName, typeof(IngestActivities).Assembly.GetName().Version?.ToString());

    /// <summary>The context a W3C <c>traceparent</c> names, or default when it is absent or invalid (never an error).</summary>
    public static ActivityContext ParseTraceParent(string? traceParent) =>
        !string.IsNullOrWhiteSpace(traceParent) && traceParent.Length <= 128
        && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context)
            ? context
            : default;

    /// <summary>Starts <see cref="Ingest"/> for <paramref name="message"/>: a child of its traceparent (linked to the
    /// host's own span, e.g. the Functions invocation, when there is one), else of the ambient span or a new root.</summary>
    internal static Activity? StartIngest(IngestMessage message, string name = Ingest)
    {
        var activity = StartIn(name, ActivityKind.Consumer, message.TraceParent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(IngestTags.DumpId, message.DumpId.ToString("D"));
            activity.SetTag(IngestTags.FileName, message.FileName);
            activity.SetTag(IngestTags.Client, message.Client);
            activity.SetTag(IngestTags.ClientAddress, AddressOf(message.Client));
            activity.SetTag(IngestTags.Blob, message.BlobUri.GetLeftPart(UriPartial.Path));
            activity.SetTag(IngestTags.Size, message.Size);
            activity.SetTag(IngestTags.Complete, message.Complete);
            activity.SetTag(IngestTags.RelayHost, message.RelayHost);
        }

        return activity;
    }

    /// <summary>Starts <paramref name="name"/> in the trace <paramref name="traceParent"/> names (linked to the ambient
    /// span, the host's own, when there is one), else as a child of the ambient span or a new root.</summary>
    internal static Activity? StartIn(string name, ActivityKind kind, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = ParseTraceParent(traceParent);
        ActivityLink[]? links = parent != default && Activity.Current is { } host ? [new ActivityLink(host.Context)] : null;
        return Source.StartActivity(name, kind, parent, tags: null, links);
    }

    /// <summary>The outcome and the crash on <paramref name="activity"/>; an occurrence with no panic or a failed one
    /// marks it an error with the first reason.</summary>
    internal static void Recorded(Activity? activity, CrashReport report)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        var occurrence = report.Occurrence;
        activity.SetTag(IngestTags.Outcome, OutcomeName(report));
        activity.SetTag(IngestTags.Fingerprint, occurrence.Fingerprint);
        activity.SetTag(IngestTags.GroupId, report.Group.Id);
        activity.SetTag(IngestTags.Signature, report.Group.Signature);
        activity.SetTag(IngestTags.OccurrenceStatus, occurrence.Status.ToString().ToLowerInvariant());
        activity.SetTag(IngestTags.Warnings, occurrence.Warnings.Count);
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="reason"/> (and the exception, if any).</summary>
    internal static void Fail(Activity? activity, string reason, Exception? error = null, string? errorType = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, reason);
        activity.SetTag(IngestTags.ErrorType, errorType ?? error?.GetType().FullName ?? "_OTHER");
        if (error is not null)
        {
            activity.AddException(error);
        }
    }

    /// <summary>The traceparent an alert decided now is stored with: the enclosing <see cref="Ingest"/> span's (the
    /// delivery becomes its child), else the current span's, else null (recording outside an ingest, or tracing off).</summary>
    internal static string? AlertTraceParent()
    {
        for (var activity = Activity.Current; activity is not null; activity = activity.Parent)
        {
            if (activity.Source == Source && activity.OperationName == Ingest)
            {
                return W3C(activity);
            }
        }

        return Activity.Current is { } current ? W3C(current) : null;
    }

    /// <summary>The outcome's name on spans and metrics (<see cref="IngestTags.Outcomes"/>).</summary>
    internal static string OutcomeName(CrashReport report) => report switch
    {
        { Redelivered: true } => IngestTags.Outcomes.Redelivered,
        { Occurrence.Status: Model.OccurrenceStatus.Failed } => IngestTags.Outcomes.Failed,
        { Outcome: IngestOutcome.NewGroup } => IngestTags.Outcomes.New,
        { Outcome: IngestOutcome.Regression } => IngestTags.Outcomes.Regression,
        _ => IngestTags.Outcomes.Repeat,
    };

    private static string? W3C(Activity activity) => activity.IdFormat == ActivityIdFormat.W3C ? activity.Id : null;

    private static string AddressOf(string client) =>
        IPEndPoint.TryParse(client, out var endpoint) ? endpoint.Address.ToString() : client;
}
