using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Transfers;

/// <summary>
/// Turns accepted write requests into running <see cref="Transfer"/>s, one per Mac address and port, and owns the
/// checks made before ACK 0: name, per-source and overall limits, spool space, and exclusive creation of the file.
/// Everything here runs on the listener's thread and does no I/O beyond creating the file and sending ACK 0.
/// </summary>
internal sealed class TransferRegistry(
    DumpSpool spool,
    IOptions<RelayOptions> options,
    TimeProvider time,
    RelayActivities activities,
    RelayMetrics metrics,
    ILoggerFactory loggers) : IDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, Transfer> _transfers = new();
    private readonly ConcurrentDictionary<Transfer, byte> _running = new();
    private readonly ConcurrentQueue<Transfer> _lingering = new();
    private readonly ILogger _logger = loggers.CreateLogger("KDumpCloud.Relay.Transfer");
    private readonly RelayOptions _options = options.Value;
    private readonly SourceLimits _limits = new(options.Value);
    private readonly CancellationTokenSource _stopping = new();
    private int _lingeringCount;

    /// <summary>Whether a WRQ from <paramref name="source"/> is heard at all (per-source rate).</summary>
    public bool TryAdmitRequest(IPAddress source) => _limits.TryAdmitRequest(source);

    /// <summary>Handles one WRQ. Returns the refusal to send from the listening socket, or null when a transfer
    /// (new or existing) has answered from its own socket or the request is dropped.</summary>
    public Refusal? Accept(IPEndPoint client, WriteRequest request, IPAddress localAddress)
    {
        var refusal = TryAccept(client, request, localAddress, time.GetTimestamp());
        if (refusal is { Traced: false })
        {
            metrics.Refused(refusal.Cause);
            if (!refusal.Silent)
            {
                activities.RecordRefusal(request.FileName, client, refusal.Cause, refusal.Detail ?? refusal.Message);
            }
        }

        return refusal;
    }

    private Refusal? TryAccept(IPEndPoint client, WriteRequest request, IPAddress localAddress, long requestTimestamp)
    {
        if (_transfers.TryGetValue(client, out var existing))
        {
            if (existing.TryAnswerRetransmittedRequest(request))
            {
                Log.WriteRequestRetransmitted(_logger, client, DumpFileNames.ForLog(request.FileName));
                return null;
            }

            if (existing.FileName == request.FileName)
            {
                // A late or duplicated copy of the WRQ after data began, or after the dump finished. Any reply would
                // count as an ACK to the kernel (§11.1), and ending the transfer would throw valid data away (or stop
                // answering a retransmitted EOF) for a duplicate: drop it.
                return null;
            }

            // The Mac's source port is always its panicd_port, so a new request from the same address and port
            // means the old dump is over, finished or not (§11.1). It ends on its own thread.
            _transfers.TryRemove(new KeyValuePair<IPEndPoint, Transfer>(client, existing));
            existing.RequestEnd("the same Mac started a new dump before this one ended", TransferCauses.Superseded);
        }

        if (!DumpFileNames.TryValidate(request.FileName, out var code, out var problem))
        {
            return new Refusal(code, problem) { Cause = TransferCauses.InvalidName };
        }

        if (spool.UsedBytes >= _options.SpoolQuotaBytes)
        {
            spool.ShortOfSpace.Raise();
            return new Refusal(KdumpErrorCode.DiskFull, "relay spool is full", "the spool reached Relay:SpoolQuotaBytes") { Cause = TransferCauses.SpoolFull };
        }

        if (spool.AvailableDiskBytes < _options.MinFreeDiskBytes)
        {
            spool.ShortOfSpace.Raise();
            return new Refusal(KdumpErrorCode.DiskFull, "relay disk is nearly full", "free disk space is below Relay:MinFreeDiskBytes") { Cause = TransferCauses.DiskFull };
        }

        var slot = _limits.TryAdmitTransfer(client.Address, out var limit);
        if (slot is null)
        {
            // While busy, silence: the kernel re-sends its WRQ for ~50 s (§11.1) and may get a slot meanwhile, where
            // an ERROR would make it retry 14 times in under a second and give up. A Mac past its hourly dumps is
            // told at once, since waiting will not help it.
            return limit == SourceLimit.DumpsPerHour
                ? new Refusal(KdumpErrorCode.Undefined, "too many dumps from this Mac, try later", "this Mac started Relay:DumpsPerHourPerSource dumps in the last hour")
                {
                    Cause = TransferCauses.DumpsPerHour,
                }
                : new Refusal(KdumpErrorCode.Undefined, "relay is busy", limit == SourceLimit.Transfers
                    ? "Relay:MaxConcurrentTransfers transfers are running" : "this Mac already runs Relay:MaxTransfersPerSource transfers", Silent: true)
                {
                    Cause = TransferCauses.Busy,
                };
        }

        var refusal = Start(client, request, localAddress, slot, requestTimestamp);
        if (refusal is not null)
        {
            slot.Dispose();
        }

        return refusal;
    }

    /// <summary>Creates the dump and its transfer under the dump's receive span (the root of its trace), which the
    /// transfer's thread and timer inherit; this thread gets back the activity it had.</summary>
    private Refusal? Start(IPEndPoint client, WriteRequest request, IPAddress localAddress, TransferSlot slot, long requestTimestamp)
    {
        var previous = Activity.Current;
        try
        {
            var dumpId = Guid.CreateVersion7(time.GetUtcNow());
            var telemetry = ReceiveTelemetry.Start(activities, metrics, dumpId, request.FileName, client);
            var refusal = Start(client, request, localAddress, slot, dumpId, telemetry, requestTimestamp);
            if (refusal is not null)
            {
                telemetry.Refused(refusal.Cause, refusal.Detail ?? refusal.Message);
            }

            return refusal is null ? null : refusal with { Traced = true };
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private Refusal? Start(IPEndPoint client, WriteRequest request, IPAddress localAddress, TransferSlot slot, Guid dumpId,
        ReceiveTelemetry telemetry, long requestTimestamp)
    {
        var journal = new DumpJournal
        {
            DumpId = dumpId,
            FileName = request.FileName,
            Client = client.ToString(),
            State = DumpState.Receiving,
            Features = (int)request.AcceptedFeatures,
            MaxPayload = KdumpWire.MaxPayload(request.AcceptedFeatures),
            StartedAt = time.GetUtcNow(),
            TraceParent = telemetry.TraceParent,
        };

        SpoolDump? dump;
        try
        {
            dump = spool.TryCreateDump(journal, _options.SpoolQuotaBytes);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new Refusal(KdumpErrorCode.AccessViolation, "relay cannot create the dump", $"creating the file failed: {error.Message}")
            {
                Cause = TransferCauses.CreateFailed,
            };
        }

        if (dump is null)
        {
            // kdumpd answers EEXIST with code 0 (§9, §10): a dump is never overwritten.
            return new Refusal(KdumpErrorCode.Undefined, "File exists") { Cause = TransferCauses.FileExists };
        }

        Transfer? transfer = null;
        try
        {
            transfer = new Transfer(client, request, dump, slot, _options.MaxDumpBytes, _options.MaxHoleBytes, time, telemetry, _logger, OnFinished, OnClosed);
            transfer.Start(localAddress);
            telemetry.Accepted(time.GetElapsedTime(requestTimestamp));
            _transfers[client] = transfer;
            _running[transfer] = 0;
            transfer.Run(_stopping.Token);
            _limits.CountDump(client.Address);
            return null;
        }
        catch (Exception error)
        {
            // No thread or socket to be had (a thread that cannot start is an OutOfMemoryException), or anything
            // else: take the file back, so the Mac's retransmitted WRQ gets a fresh try instead of "File exists".
            if (transfer is not null)
            {
                _transfers.TryRemove(new KeyValuePair<IPEndPoint, Transfer>(client, transfer));
                _running.TryRemove(transfer, out _);
                transfer.Dispose();
            }
            else
            {
                dump.Dispose();
            }

            spool.Discard(dump.Record);
            return new Refusal(KdumpErrorCode.Undefined, "relay cannot start the transfer", $"the transfer could not start: {error.GetType().Name}: {error.Message}")
            {
                Cause = TransferCauses.StartFailed,
            };
        }
    }

    /// <summary>A transfer let go of its thread and now lingers; past <c>Relay:MaxLingeringTransfers</c> the oldest
    /// lingering one closes.</summary>
    private void OnFinished(Transfer transfer)
    {
        _lingering.Enqueue(transfer);
        if (Interlocked.Increment(ref _lingeringCount) <= _options.MaxLingeringTransfers)
        {
            return;
        }

        while (Volatile.Read(ref _lingeringCount) > _options.MaxLingeringTransfers && _lingering.TryDequeue(out var oldest))
        {
            Interlocked.Decrement(ref _lingeringCount);
            oldest.RequestEnd("too many finished transfers lingering", TransferCauses.Closed);
        }
    }

    private void OnClosed(Transfer transfer)
    {
        _transfers.TryRemove(new KeyValuePair<IPEndPoint, Transfer>(transfer.Client, transfer));
        if (_running.TryRemove(transfer, out _))
        {
            // Dispose once the receive loop has let go of the socket.
            _ = transfer.Completion.ContinueWith(static (_, state) => ((Transfer)state!).Dispose(), transfer, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // Closed transfers leave the linger queue lazily; keep the count of those still in it honest.
        if (_lingering.TryPeek(out var oldest) && oldest == transfer && _lingering.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _lingeringCount);
        }
    }

    /// <summary>Ends every transfer (a dump still receiving is recorded incomplete), waits for their threads and loops
    /// to let go, then for the spool's background work as long as the host allows.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var running = _running.Keys.ToArray();
        foreach (var transfer in running)
        {
            transfer.RequestEnd("the relay stopped during the transfer", TransferCauses.RelayStopped);
        }

        try
        {
            await Task.WhenAll(running.Select(transfer => transfer.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.StopTimedOut(_logger, running.Count(transfer => !transfer.Completion.IsCompleted));
        }
        await spool.StopBackgroundWorkAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var transfer in _running.Keys)
        {
            transfer.Dispose();
        }

        _limits.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>An ERROR to send instead of ACK 0: <see cref="Message"/> is all the Mac is told (no paths, no
/// settings); <see cref="Detail"/> goes to the log. A <see cref="Silent"/> refusal sends nothing.</summary>
internal sealed record Refusal(KdumpErrorCode Code, string Message, string? Detail = null, bool Silent = false)
{
    /// <summary>Why, as a bounded name for metrics and spans (one of <see cref="TransferCauses"/>).</summary>
    public string Cause { get; init; } = "other";

    /// <summary>Already counted and traced by the dump's own receive span.</summary>
    public bool Traced { get; init; }
}
