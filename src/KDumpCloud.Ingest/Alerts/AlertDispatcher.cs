using System.Diagnostics;
using KDumpCloud.Ingest.Alerts.Delivery;
using KDumpCloud.Ingest.Alerts.Formats;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// Drains the alert outbox to the configured sinks, one sink at a time per call (<see cref="DispatchAsync"/>), so a
/// host can run each sink on its own and a slow or dead one never delays another. A pass reads the recent alerts and
/// the sink's delivery records, then per alert, oldest first: not for this sink → filtered; older than
/// <see cref="AlertOptions.MaxAge"/> → expired (logged); the group had an alert within
/// <see cref="AlertOptions.GroupInterval"/> → throttled; the minute's budget spent → held for the digest; else sent,
/// and the outcome recorded before the next. A send that fails for now ends the pass (the sink is down or pacing
/// us: its alerts wait, in order); a 4xx for good is recorded as rejected and logged. Held alerts go out as one digest
/// once the minute has room.
/// </summary>
/// <remarks>
/// Exactly once as the chat sees it, within one limit: a delivery is recorded after the service answered, so a
/// process killed between the two sends that one message again at the next pass (the JSON sink's
/// <c>X-KDumpCloud-Delivery</c> id lets a receiver drop it). Nothing is lost: the alert is in the outbox from the
/// moment its occurrence was recorded.
/// </remarks>
public sealed partial class AlertDispatcher(
    IAlertOutbox outbox,
    WebhookSender sender,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertDispatcher> logger,
    IngestMetrics? metrics = null)
{
    /// <summary>Most alerts a digest's span links to (their traces).</summary>
    private const int MaxDigestLinks = 32;

    private readonly IngestMetrics _metrics = metrics ?? IngestMetrics.Shared;
    /// <summary>Most alerts one pass reads (more than a lab records in <see cref="AlertOptions.MaxAge"/> twice over).</summary>
    public const int MaxAlertsPerPass = 5000;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(10);
    private readonly AlertOptions _options = options.Value;
    private readonly AlertLinks _links = new(options.Value);
    private long _purgedAt;

    /// <summary>The configured sinks, in configuration order.</summary>
    public IReadOnlyList<AlertSink> Sinks { get; } = [.. options.Value.Webhooks.Select(w => new AlertSink(w))];

    /// <summary>One pass over every sink at once; returns when all are done.</summary>
    public async Task<IReadOnlyList<SinkPassResult>> DispatchAllAsync(CancellationToken cancellationToken)
    {
        await PurgeIfDueAsync(cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(Sinks.Select(sink => DispatchAsync(sink, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>One pass for <paramref name="sink"/>.</summary>
    public async Task<SinkPassResult> DispatchAsync(AlertSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var now = time.GetUtcNow();
        var horizon = now - (2 * _options.MaxAge);
        var alerts = await outbox.ListAlertsAsync(horizon, MaxAlertsPerPass, cancellationToken).ConfigureAwait(false);
        var records = (await outbox.ListDeliveriesAsync(sink.Id, horizon, cancellationToken).ConfigureAwait(false))
            .ToDictionary(d => d.AlertId);
        var ledger = new SinkLedger(records.Values, _options);
        var result = new SinkPassResult(sink);
        var failing = false;
        foreach (var alert in alerts)
        {
            var record = records.GetValueOrDefault(alert.DumpId);
            if (record is { IsFinal: true } or { State: DeliveryState.HeldForDigest } || record?.RetryAt > now || failing)
            {
                continue;
            }

            now = time.GetUtcNow();
            var next = await DecideAsync(sink, alert, record, ledger, now, cancellationToken).ConfigureAwait(false);
            failing = next.State == DeliveryState.Waiting;
            records[alert.DumpId] = next;
            result.Count(next.State);
            await outbox.SaveDeliveriesAsync(sink.Id, [next], cancellationToken).ConfigureAwait(false);
        }

        if (!failing)
        {
            await SendDigestAsync(sink, alerts, records, ledger, result, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Sends a sample alert to <paramref name="sink"/> (<c>kdumpcloud alerts test</c>), through the same
    /// format and pipeline; nothing is recorded.</summary>
    public Task<DeliveryResult> SendTestAsync(AlertSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var notice = SampleAlert.Create(time.GetUtcNow());
        return sender.SendAsync(sink, sink.Format.Format(notice, _links.For(notice)), JsonAlertFormat.DeliveryId(notice), cancellationToken);
    }

    private async Task<AlertDelivery> DecideAsync(AlertSink sink, AlertNotice alert, AlertDelivery? record, SinkLedger ledger,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempts = record?.Attempts ?? 0;
        AlertDelivery Record(DeliveryState state, string? detail = null, DateTimeOffset? retryAt = null) =>
            new(alert.DumpId, alert.CreatedAt, alert.Fingerprint, state, now, attempts, retryAt, detail);

        if (!sink.Filter.Accepts(alert.Event))
        {
            return Record(DeliveryState.Filtered);
        }

        if (now - alert.CreatedAt > _options.MaxAge)
        {
            _metrics.AlertFailed(sink.Kind, AlertEvents.Name(alert.Event), "expired");
            Log.Expired(logger, AlertEvents.Name(alert.Event), alert.Signature, sink.Display, attempts, record?.Detail ?? "never tried");
            return Record(DeliveryState.Expired, record?.Detail);
        }

        if (ledger.Throttled(alert.Fingerprint, now))
        {
            return Record(DeliveryState.Throttled);
        }

        if (!ledger.RoomForAlert(now))
        {
            return Record(DeliveryState.HeldForDigest);
        }

        attempts++;
        using var activity = StartDelivery(IngestActivities.Deliver, sink, AlertEvents.Name(alert.Event), alert.TraceParent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(IngestTags.DumpId, alert.DumpId.ToString("D"));
            activity.SetTag(IngestTags.GroupId, alert.Fingerprint);
            activity.SetTag(IngestTags.Attempt, attempts);
        }

        var sent = await sender.SendAsync(sink, sink.Format.Format(alert, _links.For(alert)), JsonAlertFormat.DeliveryId(alert), cancellationToken)
            .ConfigureAwait(false);
        now = time.GetUtcNow();
        Sent(activity, sink, AlertEvents.Name(alert.Event), sent);
        switch (sent.Outcome)
        {
            case DeliveryOutcome.Delivered:
                ledger.Sent(alert.Fingerprint, now);
                Log.Delivered(logger, AlertEvents.Name(alert.Event), alert.Signature, sink.Display, sent.Detail, (now - alert.CreatedAt).TotalMilliseconds);
                return Record(DeliveryState.Delivered, sent.Detail);
            case DeliveryOutcome.Rejected:
                Log.Rejected(logger, AlertEvents.Name(alert.Event), alert.Signature, sink.Display, sent.Detail);
                return Record(DeliveryState.Rejected, sent.Detail);
            default:
                var retryAt = sent.RetryAt ?? now + Backoff(attempts);
                Log.WillRetry(logger, AlertEvents.Name(alert.Event), alert.Signature, sink.Display, sent.Detail, (retryAt - now).TotalSeconds);
                return Record(DeliveryState.Waiting, sent.Detail, retryAt);
        }
    }

    private async Task SendDigestAsync(AlertSink sink, IReadOnlyList<AlertNotice> alerts, Dictionary<Guid, AlertDelivery> records,
        SinkLedger ledger, SinkPassResult result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var held = alerts.Where(a => records.GetValueOrDefault(a.DumpId)?.State == DeliveryState.HeldForDigest).ToList();
        if (held.Count == 0 || !ledger.RoomForDigest(now))
        {
            return;
        }

        var expired = held.Where(a => now - a.CreatedAt > _options.MaxAge).ToList();
        var live = held.Except(expired).ToList();
        DeliveryState outcome;
        Guid? digestId = null;
        string? detail = null;
        if (live.Count > 0 && sink.Filter.Accepts(AlertEvent.Digest))
        {
            var digest = AlertDigest.Of(Guid.CreateVersion7(now), live);
            using var activity = StartDelivery(IngestActivities.Digest, sink, AlertEvents.Name(AlertEvent.Digest), null, live);
            activity?.SetTag(IngestTags.AlertsInDigest, live.Count);
            var sent = await sender.SendAsync(sink, sink.Format.Format(digest, _links.ForDigest()), digest.Id.ToString("D"), cancellationToken)
                .ConfigureAwait(false);
            now = time.GetUtcNow();
            Sent(activity, sink, AlertEvents.Name(AlertEvent.Digest), sent);
            detail = sent.Detail;
            if (sent.Outcome == DeliveryOutcome.RetryLater)
            {
                Log.DigestWillRetry(logger, live.Count, sink.Display, sent.Detail);
                live = [];
                outcome = DeliveryState.HeldForDigest;
            }
            else if (sent.Outcome == DeliveryOutcome.Rejected)
            {
                Log.Rejected(logger, "digest", AlertText.DigestTitle(digest), sink.Display, sent.Detail);
                outcome = DeliveryState.Rejected;
            }
            else
            {
                ledger.DigestSent(now);
                digestId = digest.Id;
                outcome = DeliveryState.Digested;
                Log.DigestDelivered(logger, AlertText.DigestTitle(digest), sink.Display, sent.Detail);
            }
        }
        else
        {
            outcome = DeliveryState.Filtered;
        }

        var changed = expired.Select(a => Closed(a, DeliveryState.Expired, records[a.DumpId].Detail))
            .Concat(live.Select(a => Closed(a, outcome, detail) with { DigestId = digestId }))
            .ToList();
        foreach (var record in changed)
        {
            records[record.AlertId] = record;
            result.Count(record.State);
        }

        await outbox.SaveDeliveriesAsync(sink.Id, changed, cancellationToken).ConfigureAwait(false);

        AlertDelivery Closed(AlertNotice alert, DeliveryState state, string? text) =>
            new(alert.DumpId, alert.CreatedAt, alert.Fingerprint, state, now, records[alert.DumpId].Attempts, null, text);
    }

    /// <summary>A send's span: in the alert's trace (the dump's), or for a digest linked to its alerts' traces.</summary>
    private static Activity? StartDelivery(string name, AlertSink sink, string alertEvent, string? traceParent,
        IReadOnlyList<AlertNotice>? linked = null)
    {
        if (!IngestActivities.Source.HasListeners())
        {
            return null;
        }

        var activity = linked is null
            ? IngestActivities.StartIn(name, ActivityKind.Client, traceParent)
            : IngestActivities.Source.StartActivity(name, ActivityKind.Client, parentContext: default, tags: null,
                links: [.. linked.Select(a => IngestActivities.ParseTraceParent(a.TraceParent)).Where(c => c != default).Take(MaxDigestLinks)
                    .Select(c => new ActivityLink(c))]);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(IngestTags.AlertEvent, alertEvent);
            activity.SetTag(IngestTags.SinkKind, IngestMetrics.SinkKindName(sink.Kind));
            activity.SetTag(IngestTags.SinkId, sink.Id);
        }

        return activity;
    }

    /// <summary>What a send came to, on its span (a failure with the service's answer, never the URL) and on the
    /// sent and failed counters.</summary>
    private void Sent(Activity? activity, AlertSink sink, string alertEvent, DeliveryResult sent)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(IngestTags.DeliveryState, sent.Outcome switch
            {
                DeliveryOutcome.Delivered => "delivered",
                DeliveryOutcome.Rejected => "rejected",
                _ => "waiting",
            });
            if (sent.Status is { } status)
            {
                activity.SetTag(IngestTags.HttpStatus, status);
            }
        }

        switch (sent.Outcome)
        {
            case DeliveryOutcome.Delivered:
                _metrics.AlertSent(sink.Kind, alertEvent);
                break;
            case DeliveryOutcome.Rejected:
                IngestActivities.Fail(activity, sent.Detail, errorType: "rejected");
                _metrics.AlertFailed(sink.Kind, alertEvent, "rejected");
                break;
            default:
                IngestActivities.Fail(activity, sent.Detail, errorType: "retry_later");
                _metrics.AlertFailed(sink.Kind, alertEvent, "retry_later");
                break;
        }
    }

    private async Task PurgeIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now.UtcTicks - Interlocked.Read(ref _purgedAt) < TimeSpan.TicksPerHour)
        {
            return;
        }

        Interlocked.Exchange(ref _purgedAt, now.UtcTicks);
        var purged = await outbox.PurgeAsync(now - (2 * _options.MaxAge), cancellationToken).ConfigureAwait(false);
        if (purged > 0)
        {
            Log.Purged(logger, purged);
        }
    }

    /// <summary>Purges old alerts at most once an hour (hosts call it beside their passes).</summary>
    public Task PurgeAsync(CancellationToken cancellationToken) => PurgeIfDueAsync(cancellationToken);

    private static TimeSpan Backoff(int attempts)
    {
        var wait = FirstRetry * Math.Pow(2, Math.Min(attempts - 1, 16));
        return wait < LastRetry ? wait : LastRetry;
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Information, "alert {Event} sent to {Sink}: {Signature} ({Answer}; {AgeMs:F0} ms after it was recorded)")]
        public static partial void Delivered(ILogger logger, string @event, string signature, string sink, string answer, double ageMs);

        [LoggerMessage(102, LogLevel.Warning, "alert {Event} to {Sink} not delivered ({Answer}): {Signature}; trying again in {RetrySeconds:F0} s")]
        public static partial void WillRetry(ILogger logger, string @event, string signature, string sink, string answer, double retrySeconds);

        [LoggerMessage(103, LogLevel.Error, "alert {Event} refused by {Sink} ({Answer}): {Signature}; not retried, check the webhook")]
        public static partial void Rejected(ILogger logger, string @event, string signature, string sink, string answer);

        [LoggerMessage(104, LogLevel.Error, "alert {Event} to {Sink} expired after {Attempts} attempts (last: {Answer}): {Signature}")]
        public static partial void Expired(ILogger logger, string @event, string signature, string sink, int attempts, string answer);

        [LoggerMessage(105, LogLevel.Information, "digest sent to {Sink}: {Title} ({Answer})")]
        public static partial void DigestDelivered(ILogger logger, string title, string sink, string answer);

        [LoggerMessage(106, LogLevel.Warning, "digest of {Alerts} alerts to {Sink} not delivered ({Answer}); trying again")]
        public static partial void DigestWillRetry(ILogger logger, int alerts, string sink, string answer);

        [LoggerMessage(107, LogLevel.Information, "purged {Alerts} old alerts from the outbox")]
        public static partial void Purged(ILogger logger, int alerts);
    }
}
