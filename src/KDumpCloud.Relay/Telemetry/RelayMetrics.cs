using System.Diagnostics.Metrics;
using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Retention;
using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Telemetry;

/// <summary>
/// The receiving side's metrics (meter <see cref="MeterName"/>, from the host's <see cref="IMeterFactory"/>): transfers
/// active and finished by outcome, bytes received, MB/s of finished dumps, WRQ → ACK 0 latency, refusals by reason,
/// and the spool's usage and free disk. Tags are bounded (outcome, cause, reason); no file name or address.
/// </summary>
/// <remarks>The DATA path only adds to <see cref="_receivedBytes"/>; the total is read when a collector asks, so a
/// packet costs one interlocked add whatever listens.</remarks>
internal sealed class RelayMetrics
{
    public const string MeterName = "KDumpCloud.Relay";

    /// <summary>WRQ → ACK 0 normally takes 0.1–5 ms (the spool disk's file creation); the tail goes to seconds.</summary>
    private static readonly double[] RequestBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    /// <summary>A dump over loopback or a LAN runs at 1–100 MB/s; a slow Wi-Fi Mac well below.</summary>
    private static readonly double[] RateBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 40, 50, 75, 100, 150];

    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _rate;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _retentionRemoved;
    private readonly Counter<long> _retentionFreed;
    private long _receivedBytes;

    public RelayMetrics(IMeterFactory meters, DumpSpool spool, IOptions<RelayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        var quota = options.Value.SpoolQuotaBytes;
        _active = meter.CreateUpDownCounter<long>("kdumpcloud.relay.transfer.active", "{transfer}",
            "Transfers receiving now (from ACK 0 to EOF or their early end).");
        _finished = meter.CreateCounter<long>("kdumpcloud.relay.transfer.finished", "{transfer}",
            "Transfers that ended, by kdump.outcome (complete, incomplete, discarded) and, when not complete, error.type.");
        _rate = meter.CreateHistogram("kdumpcloud.relay.transfer.rate", "MBy/s",
            "Speed of each finished dump with data: payload bytes (10^6) per second from WRQ to its end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });
        _requestDuration = meter.CreateHistogram("kdumpcloud.relay.write_request.duration", "s",
            "From the relay taking up a WRQ to its ACK 0 sent.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        _refusals = meter.CreateCounter<long>("kdumpcloud.relay.refusals", "{request}",
            "WRQs answered with an ERROR or silence instead of ACK 0, by kdump.refusal.reason.");
        _retentionRemoved = meter.CreateCounter<long>("kdumpcloud.relay.retention.removed", "{dump}",
            "Uploaded dumps retention removed from the spool, by kdump.removal.reason (age, bytes, spool_space, disk_space).");
        _retentionFreed = meter.CreateCounter<long>("kdumpcloud.relay.retention.freed", "By", "Bytes those dumps occupied.");
        meter.CreateObservableCounter("kdumpcloud.relay.received", () => Volatile.Read(ref _receivedBytes), "By",
            "Payload bytes stored from DATA packets.");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.spool.usage", () => spool.UsedBytes, "By",
            "Bytes the spool's dumps occupy, transfers in progress included (what Relay:SpoolQuotaBytes limits).");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.spool.limit", () => quota, "By", "Relay:SpoolQuotaBytes.");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.spool.free", () => SafeFree(spool), "By",
            "Free bytes on the spool's disk (read at most once a second).");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.spool.dumps", () => spool.Count, "{dump}",
            "Dumps the spool holds, in progress or finished.");
    }

    /// <summary>A transfer sent ACK 0 and receives now.</summary>
    public void TransferStarted() => _active.Add(1);

    /// <summary>Payload bytes stored; the only call on the DATA path.</summary>
    public void Received(int bytes) => Interlocked.Add(ref _receivedBytes, bytes);

    /// <summary>A transfer ended (once per transfer that <see cref="TransferStarted"/> counted).</summary>
    public void TransferEnded(TransferOutcome outcome, string? cause, long payloadBytes, TimeSpan elapsed)
    {
        _active.Add(-1);
        var outcomeTag = new KeyValuePair<string, object?>(TelemetryTags.Outcome, TelemetryTags.OutcomeName(outcome));
        if (outcome == TransferOutcome.Complete)
        {
            _finished.Add(1, outcomeTag);
        }
        else
        {
            _finished.Add(1, outcomeTag, new KeyValuePair<string, object?>(TelemetryTags.ErrorType, cause ?? "other"));
        }

        if (payloadBytes > 0 && elapsed > TimeSpan.Zero)
        {
            _rate.Record(payloadBytes / elapsed.TotalSeconds / 1e6, outcomeTag);
        }
    }

    /// <summary>A transfer counted by <see cref="TransferStarted"/> could not run after all (no thread).</summary>
    public void TransferAbandoned() => _active.Add(-1);

    /// <summary>A WRQ got its ACK 0 <paramref name="elapsed"/> after the relay took it up.</summary>
    public void RequestAnswered(TimeSpan elapsed) => _requestDuration.Record(elapsed.TotalSeconds);

    /// <summary>A WRQ was refused; <paramref name="reason"/> is one of <see cref="TransferCauses"/>.</summary>
    public void Refused(string reason) => _refusals.Add(1, new KeyValuePair<string, object?>(TelemetryTags.RefusalReason, reason));

    /// <summary>Retention removed an uploaded dump of <paramref name="bytes"/> by the rule <paramref name="reason"/>.</summary>
    public void RetentionRemoved(RemovalReason reason, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(TelemetryTags.RemovalReason, reason switch
        {
            RemovalReason.Age => "age",
            RemovalReason.Bytes => "bytes",
            RemovalReason.SpoolSpace => "spool_space",
            _ => "disk_space",
        });
        _retentionRemoved.Add(1, tag);
        _retentionFreed.Add(bytes, tag);
    }

    private static long SafeFree(DumpSpool spool)
    {
        try
        {
            return spool.AvailableDiskBytes;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
