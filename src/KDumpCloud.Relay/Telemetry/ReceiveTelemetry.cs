using System.Diagnostics;
using System.Net;
using KDumpCloud.Kdump.Transfers;

namespace KDumpCloud.Relay.Telemetry;

/// <summary>
/// One accepted WRQ's telemetry, from the relay taking it up to the transfer's end: its receive span (if sampled) and
/// its place in <see cref="RelayMetrics"/>. Ends exactly once, whichever of the transfer's end paths (or a failure
/// to start it) gets there first. Nothing here runs per packet but <see cref="Received"/>.
/// </summary>
internal sealed class ReceiveTelemetry
{
    private readonly RelayMetrics _metrics;
    private readonly Activity? _span;
    private int _ended;
    private bool _accepted;

    private ReceiveTelemetry(RelayMetrics metrics, Activity? span)
    {
        _metrics = metrics;
        _span = span;
    }

    /// <summary>The receive span's W3C traceparent, for the journal; null when not traced.</summary>
    public string? TraceParent => _span?.Id;

    /// <summary>Starts the receive span (left current: see <see cref="RelayActivities.StartReceive"/>).</summary>
    public static ReceiveTelemetry Start(RelayActivities activities, RelayMetrics metrics, Guid dumpId, string fileName, IPEndPoint client)
    {
        ArgumentNullException.ThrowIfNull(activities);
        return new ReceiveTelemetry(metrics, activities.StartReceive(dumpId, fileName, client));
    }

    /// <summary>ACK 0 is out: the transfer counts as active until <see cref="End"/>.</summary>
    public void Accepted(TimeSpan sinceRequest)
    {
        _accepted = true;
        _metrics.RequestAnswered(sinceRequest);
        _metrics.TransferStarted();
    }

    public void Received(int bytes) => _metrics.Received(bytes);

    /// <summary>The transfer ended; only the first call counts.</summary>
    public void End(TransferOutcome outcome, string? cause, string? reason, TransferCounters counters, long fileLength, TimeSpan elapsed)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _metrics.TransferEnded(outcome, cause, counters.PayloadBytes, elapsed);
        RelayActivities.EndReceive(_span, outcome, cause, reason, counters, fileLength);
    }

    /// <summary>The WRQ got no transfer after all: refused before ACK 0, or the transfer could not start.</summary>
    public void Refused(string cause, string reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        if (_accepted)
        {
            _metrics.TransferAbandoned();
        }

        _metrics.Refused(cause);
        RelayActivities.EndReceive(_span, TransferOutcome.Refused, cause, reason, counters: null, fileLength: 0);
    }
}
