using System.Collections.Concurrent;
using System.Net;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Kdump.Transfers;
using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace KDumpCloud.Relay.Transfers;

/// <summary>
/// Turns accepted write requests into running <see cref="Transfer"/>s, one per Mac address and port, and owns the
/// checks made before ACK 0: name, size and spool limits, concurrency, and exclusive creation of the file.
/// </summary>
internal sealed class TransferRegistry(
    DumpSpool spool,
    IOptions<RelayOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : IDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, Transfer> _transfers = new();
    private readonly ConcurrentDictionary<Transfer, Task> _running = new();
    private readonly ILogger _logger = loggers.CreateLogger("KDumpCloud.Relay.Transfer");
    private readonly RelayOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Handles one WRQ. Returns the refusal to send from the listening socket, or null when a transfer
    /// (new or existing) has answered from its own socket.</summary>
    public Refusal? Accept(IPEndPoint client, WriteRequest request, IPAddress localAddress)
    {
        if (_transfers.TryGetValue(client, out var existing))
        {
            if (existing.TryAnswerRetransmittedRequest(request))
            {
                Log.WriteRequestRetransmitted(_logger, client, DumpFileNames.ForLog(request.FileName));
                return null;
            }

            if (existing.State == TransferState.Receiving && existing.FileName == request.FileName)
            {
                // A late or duplicated copy of the WRQ after data began. Any reply would count as an ACK to the
                // kernel (§11.1), and ending the transfer would throw valid data away with a duplicate: drop it.
                return null;
            }

            // The Mac's source port is always its panicd_port, so a new request from the same address and port
            // means the old dump is over, finished or not (§11.1).
            existing.Supersede();
        }

        if (!DumpFileNames.TryValidate(request.FileName, out var code, out var problem))
        {
            return new Refusal(code, problem);
        }

        // Finished transfers linger only to answer late EOFs (§8.2); they don't hold a slot.
        if (_transfers.Values.Count(transfer => transfer.State == TransferState.Receiving) >= _options.MaxConcurrentTransfers)
        {
            return new Refusal(KdumpErrorCode.Undefined, $"too many transfers at once (Relay:MaxConcurrentTransfers = {_options.MaxConcurrentTransfers})");
        }

        if (spool.UsedBytes >= _options.SpoolQuotaBytes)
        {
            return new Refusal(KdumpErrorCode.DiskFull, "the relay's spool is full (Relay:SpoolQuotaBytes)");
        }

        if (spool.AvailableDiskBytes < _options.MinFreeDiskBytes)
        {
            return new Refusal(KdumpErrorCode.DiskFull, "the relay's disk is nearly full (Relay:MinFreeDiskBytes)");
        }

        SafeFileHandle? file;
        try
        {
            file = spool.TryCreateDump(request.FileName);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new Refusal(KdumpErrorCode.Undefined, $"the relay cannot create the dump: {error.Message}");
        }

        if (file is null)
        {
            // kdumpd answers EEXIST with code 0 (§9, §10): a dump is never overwritten.
            return new Refusal(KdumpErrorCode.Undefined, "File exists");
        }

        var transfer = new Transfer(client, request, file, spool, _options.MaxDumpBytes, time, _logger, _options.SpoolQuotaBytes, OnClosed);
        _transfers[client] = transfer;
        try
        {
            transfer.Start(localAddress);
        }
        catch (Exception error) when (error is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            _transfers.TryRemove(new KeyValuePair<IPEndPoint, Transfer>(client, transfer));
            transfer.Dispose();
            return new Refusal(KdumpErrorCode.Undefined, $"the relay could not start the transfer: {error.Message}");
        }

        // RunAsync starts the transfer's own receive thread. It cannot close before it is recorded here: closing
        // needs a 2 s timer tick, a later WRQ (handled on this same thread) or the host stopping.
        _running[transfer] = transfer.RunAsync(_stopping.Token);
        return null;
    }

    private void OnClosed(Transfer transfer)
    {
        _transfers.TryRemove(new KeyValuePair<IPEndPoint, Transfer>(transfer.Client, transfer));
        if (_running.TryRemove(transfer, out var run))
        {
            // Dispose once the receive loop has let go of the socket.
            _ = run.ContinueWith(static (_, state) => ((Transfer)state!).Dispose(), transfer, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Ends every transfer (each records itself incomplete), waits for their loops to finish, then for
    /// the hashes of finished dumps as long as the host allows.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var transfer in _running.Keys)
        {
            transfer.Stop();
        }

        await Task.WhenAll(_running.Values).ConfigureAwait(false);
        try
        {
            await spool.WaitForHashesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of shutdown time: recovery computes the missing hashes at the next start.
        }
    }

    public void Dispose()
    {
        foreach (var transfer in _running.Keys)
        {
            transfer.Dispose();
        }

        _stopping.Dispose();
    }
}

/// <summary>An ERROR to send instead of ACK 0.</summary>
internal sealed record Refusal(KdumpErrorCode Code, string Message);
