using System.Diagnostics;
using System.Net;
using KDumpCloud.Kdump.Transfers;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Telemetry;

/// <summary>
/// The relay's spans (activity source <see cref="SourceName"/>): one trace per dump, rooted at the Mac's WRQ by
/// <see cref="ReceiveSpanName"/>, continued by <see cref="UploadSpanName"/> from the traceparent the journal keeps
/// (<see cref="DumpJournal.TraceParent"/>), after a restart too. Every span carries the dump's id, file name and Mac,
/// so a person finds the trace from any of them. With no listener nothing is created at all.
/// </summary>
internal sealed class RelayActivities : IDisposable
{
    public const string SourceName = "KDumpCloud.Relay";
    public const string ReceiveSpanName = "kdump.receive";
    public const string UploadSpanName = "kdump.upload";

    public ActivitySource Source { get; } = new(SourceName, typeof(RelayActivities).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the receive span of a new dump as the root of its own trace, whatever the calling thread last ran, and
    /// leaves it <see cref="Activity.Current"/> so that the transfer's thread and timer, started next, inherit it
    /// (their log lines carry its ids); the caller restores the previous current activity when it has started them.
    /// Null when nothing listens or the sampler drops it.
    /// </summary>
    public Activity? StartReceive(Guid? dumpId, string fileName, IPEndPoint client)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null;
        var span = Source.StartActivity(ReceiveSpanName, ActivityKind.Server);
        if (span is { IsAllDataRequested: true })
        {
            if (dumpId is { } id)
            {
                span.SetTag(TelemetryTags.DumpId, id.ToString("D"));
            }

            span.SetTag(TelemetryTags.FileName, fileName);
            span.SetTag(TelemetryTags.ClientAddress, client.Address.ToString());
            span.SetTag(TelemetryTags.ClientPort, client.Port);
            span.SetTag(TelemetryTags.NetworkTransport, "udp");
        }

        return span;
    }

    /// <summary>A WRQ refused before a transfer began (bad name, spool or disk full, past its hourly dumps): a short
    /// receive span of its own, so the trace search by Mac or file name shows where the dump stopped. Silent
    /// refusals (busy) are not traced: the kernel repeats its WRQ every few seconds while busy lasts.</summary>
    public void RecordRefusal(string fileName, IPEndPoint client, string cause, string reason)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        var previous = Activity.Current;
        // A refused name may be anything the network sent: printable and bounded, as in the log.
        var span = StartReceive(dumpId: null, DumpFileNames.ForLog(fileName), client);
        EndReceive(span, TransferOutcome.Refused, cause, reason, counters: null, fileLength: 0);
        Activity.Current = previous;
    }

    /// <summary>Ends a receive span with what arrived. An incomplete or refused dump is an error, with the reason
    /// as its description and a bounded <paramref name="cause"/> as <c>error.type</c>.</summary>
    public static void EndReceive(Activity? span, TransferOutcome outcome, string? cause, string? reason, TransferCounters? counters, long fileLength)
    {
        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryTags.Outcome, TelemetryTags.OutcomeName(outcome));
            span.SetTag(TelemetryTags.Complete, outcome == TransferOutcome.Complete);
            if (counters is not null)
            {
                span.SetTag(TelemetryTags.Bytes, counters.PayloadBytes);
                span.SetTag(TelemetryTags.FileLength, fileLength);
                span.SetTag(TelemetryTags.Packets, counters.DataPackets);
                span.SetTag(TelemetryTags.Retransmissions, counters.Duplicates + counters.EofRetransmissions);
                span.SetTag(TelemetryTags.AckRetransmissions, counters.AckRetransmissions);
                span.SetTag(TelemetryTags.Seeks, counters.Seeks);
            }

            if (outcome != TransferOutcome.Complete)
            {
                span.SetTag(TelemetryTags.ErrorType, cause ?? "other");
                span.SetTag(TelemetryTags.Reason, reason);
            }
        }

        if (outcome != TransferOutcome.Complete)
        {
            span.SetStatus(ActivityStatusCode.Error, reason);
        }

        span.Stop();
    }

    /// <summary>
    /// Starts one upload attempt's span as a child of the dump's receive span (the journal's traceparent), or as a
    /// root when the journal has none (tracing was off when it arrived). Null when nothing listens or the sampler
    /// drops it; a dump whose receive span was not sampled is not sampled here either.
    /// </summary>
    public Activity? StartUpload(DumpJournal journal, int attempt, string blobName)
    {
        ArgumentNullException.ThrowIfNull(journal);
        if (!Source.HasListeners())
        {
            return null;
        }

        // The trace continues from disk, not from whatever this flow holds.
        Activity.Current = null;
        var parent = ParentOf(journal);
        var span = Source.StartActivity(UploadSpanName, ActivityKind.Producer, parent);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(TelemetryTags.DumpId, journal.DumpId.ToString("D"));
            span.SetTag(TelemetryTags.FileName, journal.FileName);
            if (IPEndPoint.TryParse(journal.Client, out var client))
            {
                span.SetTag(TelemetryTags.ClientAddress, client.Address.ToString());
                span.SetTag(TelemetryTags.ClientPort, client.Port);
            }

            span.SetTag(TelemetryTags.UploadAttempt, attempt);
            span.SetTag(TelemetryTags.Blob, blobName);
            span.SetTag(TelemetryTags.Complete, journal.State == DumpState.Complete);
        }

        return span;
    }

    /// <summary>The dump's trace context as the journal keeps it; default when it has none or it is not valid.</summary>
    public static ActivityContext ParentOf(DumpJournal journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return journal.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? parent
            : default;
    }

    /// <summary>Marks <paramref name="span"/> failed with <paramref name="error"/> (its type as <c>error.type</c>).</summary>
    public static void Fail(Activity? span, Exception error, string? cause = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (span is null)
        {
            return;
        }

        span.SetTag(TelemetryTags.ErrorType, cause ?? error.GetType().Name);
        span.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    public void Dispose() => Source.Dispose();
}

/// <summary>How a transfer (or a WRQ that never became one) ended, for spans and metrics.</summary>
internal enum TransferOutcome
{
    Complete,
    Incomplete,

    /// <summary>Ended with nothing received: the file and journal were deleted.</summary>
    Discarded,

    /// <summary>The WRQ got an ERROR (or silence) instead of ACK 0.</summary>
    Refused,
}
