using System.Net;
using System.Net.Sockets;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Kdump.Transfers;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;

namespace KDumpCloud.Relay.Transfers;

/// <summary>
/// One Mac's dump: the <see cref="TransferSession"/> state machine driven by a socket of its own, connected to the
/// Mac, as kdumpd's per-transfer child does (kdump-protocol.md §13). The bytes go to a <see cref="SpoolDump"/>.
/// </summary>
/// <remarks>
/// <para>While receiving, a thread of its own waits in blocking calls: stop-and-wait makes the round trip the limit
/// (§17), and a blocked thread wakes straight into the handler where an async receive would add a thread-pool hop to
/// every packet. The DATA path allocates nothing.</para>
/// <para>Once finished, the transfer lets go of its thread, file and large buffers and only lingers (about 50 s,
/// §8.2, §11.1) to answer a retransmitted EOF, or a refused Mac's retries with its ERROR, from an async receive.</para>
/// <para>The receive loop and the timer run under <see cref="_gate"/>; nothing else takes it for long, and the
/// listener's thread never waits for it. Disk I/O happens only on the transfer's own thread or the timer's.</para>
/// </remarks>
internal sealed class Transfer : IDisposable
{
    /// <summary>Kernel datagrams are at most 1412 bytes; a longer one only needs its header read.</summary>
    private const int LingerBufferSize = 1536;

    private static readonly EndRequest StoppedRequest = new("the relay stopped during the transfer", TransferCauses.RelayStopped);
    private static readonly EndRequest ClosedRequest = new("the transfer closed before it ended", TransferCauses.Closed);

    private readonly Lock _gate = new();
    private readonly TransferSession _session;
    private readonly Socket _socket;
    private readonly SpoolDump _dump;
    private readonly TransferSlot _slot;
    private readonly TimeProvider _time;
    private readonly ReceiveTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Action<Transfer> _onFinished;
    private readonly Action<Transfer> _onClosed;
    private readonly byte[] _sendBuffer = new byte[128];
    private readonly ITimer _timer;
    private readonly long _startTimestamp;
    private readonly long _maxDumpBytes;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends the linger loop's wait: shutting a socket down wakes a blocking receive but not an async one.</summary>
    private readonly CancellationTokenSource _lingerCancellation = new();
    private byte[] _receiveBuffer = new byte[KdumpWire.MaxDatagramSize + 1];
    private int _refusalLength;
    private long _lastDatagramTimestamp;
    private long _lastEventTimestamp;
    private bool _completionPending;
    private bool _ended;
    private bool _closed;
    private EndRequest? _endRequest;

    public Transfer(
        IPEndPoint client,
        WriteRequest request,
        SpoolDump dump,
        TransferSlot slot,
        long maxDumpBytes,
        long maxHoleBytes,
        TimeProvider time,
        ReceiveTelemetry telemetry,
        ILogger logger,
        Action<Transfer> onFinished,
        Action<Transfer> onClosed)
    {
        Client = client;
        _dump = dump;
        _slot = slot;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _onFinished = onFinished;
        _onClosed = onClosed;
        _maxDumpBytes = maxDumpBytes;
        _session = new TransferSession(request, maxDumpBytes, maxHoleBytes);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _startTimestamp = _lastDatagramTimestamp = _lastEventTimestamp = time.GetTimestamp();
        try
        {
            _timer = time.CreateTimer(static state => ((Transfer)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public IPEndPoint Client { get; }

    public string FileName => _session.Request.FileName;

    /// <summary>Read without the lock, so that a WRQ never waits on another transfer's fsync; a value one datagram
    /// old is good enough for deciding about a WRQ.</summary>
    public TransferState State => _session.State;

    /// <summary>Completes when the transfer has closed and its receive loop has let go of the socket.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds the reply socket, sends ACK 0 (§4.3) and arms the retransmit timer.</summary>
    public void Start(IPAddress localAddress)
    {
        _socket.Bind(new IPEndPoint(localAddress, 0));
        _socket.Connect(Client);
        lock (_gate)
        {
            // Armed before the ACK leaves, so that the 2 s are counted from no later than the moment the Mac can
            // see it; a reply-then-arm order lets a fast peer's clock run ahead of the timer.
            _timer.Change(KdumpTimings.AckRetransmitInterval, Timeout.InfiniteTimeSpan);
            SendLastAck();
        }

        Log.TransferStarted(_logger, Client, DumpFileNames.ForLog(FileName), (int)_session.Features,
            KdumpWire.MaxPayload(_session.Features), ((IPEndPoint)_socket.LocalEndPoint!).Port);
    }

    /// <summary>The Mac sent its WRQ again before any data: our ACK 0 was lost. kdumpd answers EEXIST from a second
    /// process here (§13); we send ACK 0 again from this transfer's socket. Never waits: if the transfer is busy,
    /// the Mac's next retransmission is answered instead.</summary>
    public bool TryAnswerRetransmittedRequest(WriteRequest request)
    {
        if (!_gate.TryEnter())
        {
            return _session.IsRetransmissionOf(request);
        }

        try
        {
            if (_closed || !_session.IsRetransmissionOf(request))
            {
                return false;
            }

            _lastDatagramTimestamp = _lastEventTimestamp = _time.GetTimestamp();
            SendLastAck();
            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Starts the receive thread (the first journal is written there, after ACK 0).</summary>
    /// <exception cref="OutOfMemoryException">No thread could be created.</exception>
    public void Run(CancellationToken stopping)
    {
        var thread = new Thread(() => ReceiveLoop(stopping))
        {
            IsBackground = true,
            Name = "kdump transfer " + Client,
        };
        thread.Start();
    }

    /// <summary>Ends the transfer from its own thread, soon: its Mac started a new dump, the relay is stopping, or
    /// too many transfers linger. Does no I/O on the caller's thread.</summary>
    public void RequestEnd(string reason, string cause)
    {
        Volatile.Write(ref _endRequest, new EndRequest(reason, cause));
        WakeReceiver();
    }

    /// <summary>Wakes the receive thread (shutdown) or the linger loop (cancellation) out of its wait.</summary>
    private void WakeReceiver()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }

        try
        {
            _lingerCancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReceiveLoop(CancellationToken stopping)
    {
        try
        {
            if (_dump.RecordStart() is { } error)
            {
                Log.JournalWriteFailed(_logger, DumpFileNames.ForLog(FileName), error);
            }

            // A backstop for noticing the host stopping; RequestEnd wakes the thread at once.
            _socket.ReceiveTimeout = 5000;
            while (!Volatile.Read(ref _closed) && (_session.State == TransferState.Receiving || _completionPending))
            {
                var endRequest = Volatile.Read(ref _endRequest) ?? (stopping.IsCancellationRequested ? StoppedRequest : null);
                if (endRequest is not null)
                {
                    lock (_gate)
                    {
                        EndIncomplete(endRequest.Reason, endRequest.Cause);
                        Close();
                    }

                    break;
                }

                int received;
                try
                {
                    received = _socket.Receive(_receiveBuffer);
                }
                catch (SocketException failure) when (failure.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock
                    or SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    // ICMP port-unreachable for one of our ACKs: kdumpd aborts here (§11.2), but the Mac may just not
                    // have been listening for a moment, so keep waiting until the silence limit says otherwise.
                    continue;
                }

                if (received == 0 && Volatile.Read(ref _endRequest) is not null)
                {
                    continue;
                }

                lock (_gate)
                {
                    if (!_closed)
                    {
                        HandleSafely(_receiveBuffer.AsSpan(0, received));
                    }
                }
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A socket that failed for good, or anything unforeseen: say so, keep what arrived, free the Mac.
            lock (_gate)
            {
                Fail(error);
            }
        }

        _receiveBuffer = new byte[LingerBufferSize];
        if (Volatile.Read(ref _closed))
        {
            _completion.TrySetResult();
            return;
        }

        _onFinished(this);
        _ = LingerAsync();
    }

    /// <summary>A finished transfer waits without a thread for retransmitted EOFs (or a refused Mac's retries).</summary>
    private async Task LingerAsync()
    {
        try
        {
            while (!Volatile.Read(ref _closed) && Volatile.Read(ref _endRequest) is null)
            {
                int received;
                try
                {
                    received = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(), SocketFlags.None, _lingerCancellation.Token).ConfigureAwait(false);
                }
                catch (SocketException failure) when (failure.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
                    or SocketError.MessageSize)
                {
                    continue;
                }

                lock (_gate)
                {
                    if (!_closed && received > 0)
                    {
                        HandleSafely(_receiveBuffer.AsSpan(0, received));
                    }
                }
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Ended or closed under it: the linger is over.
        }
        finally
        {
            lock (_gate)
            {
                Close();
            }

            _completion.TrySetResult();
        }
    }

    private void HandleSafely(ReadOnlySpan<byte> datagram)
    {
        try
        {
            OnDatagram(datagram);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Fail(error);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        _lastDatagramTimestamp = _lastEventTimestamp = _time.GetTimestamp();
        if (_refusalLength > 0)
        {
            // A stopped transfer answers every retransmission with its ERROR, so the kernel's 14 tries end in
            // well under a second instead of ~48 s of silence (§9, §11.1).
            Send(_sendBuffer.AsSpan(0, _refusalLength));
            return;
        }

        var step = _session.Handle(datagram);
        switch (step.Action)
        {
            case TransferAction.Write:
                Write(datagram.Slice(step.PayloadStart, step.PayloadLength), step);
                break;
            case TransferAction.Seek:
                SendAck(step.AckBlock);
                break;
            case TransferAction.ResendAck when _completionPending:
                // The Mac retransmitted its EOF while the dump could not yet be made durable: try again.
                Complete(step.AckBlock);
                break;
            case TransferAction.ResendAck:
                // The same bytes as before, so a resent ACK 0 keeps its feature byte (§4.3).
                SendLastAck();
                break;
            case TransferAction.Complete:
                Complete(step.AckBlock);
                break;
            case TransferAction.Abort:
                EndIncomplete("the Mac sent an ERROR", TransferCauses.MacError);
                break;
            case TransferAction.LimitExceeded when step.Exceeded == TransferLimit.Holes:
                Refuse(KdumpErrorCode.DiskFull, "dump leaves too much unwritten", "the dump's SEEKs skipped more than Relay:MaxHoleBytes", TransferCauses.TooManyHoles);
                break;
            case TransferAction.LimitExceeded:
                Refuse(KdumpErrorCode.DiskFull, $"dump exceeds the relay's limit of {_maxDumpBytes} bytes", "the dump exceeded Relay:MaxDumpBytes", TransferCauses.TooLarge);
                break;
            case TransferAction.Ignore:
            default:
                break;
        }
    }

    private void Write(ReadOnlySpan<byte> payload, TransferStep step)
    {
        switch (_dump.TryWrite(payload, step.Offset, step.Rewrites, _session.StoredBytesBound, out var error))
        {
            case WriteFailure.QuotaFull:
                Refuse(KdumpErrorCode.DiskFull, "relay spool is full", "the spool reached Relay:SpoolQuotaBytes", TransferCauses.SpoolFull);
                break;
            case WriteFailure.WriteFailed:
                Refuse(KdumpErrorCode.DiskFull, "relay cannot write the dump", $"writing failed: {error!.Message}", TransferCauses.WriteFailed);
                break;
            default:
                _telemetry.Received(payload.Length);
                SendAck(step.AckBlock);
                break;
        }
    }

    /// <summary>EOF: the final ACK goes out only once the dump and its journal are durable (§8.2). When that fails,
    /// the Mac hears nothing and retransmits its EOF, and each retransmission (and each timer tick) tries again.</summary>
    private void Complete(uint finalAckBlock)
    {
        if (_dump.TryComplete(FinalJournal) is { } error)
        {
            if (!_completionPending)
            {
                Log.CompletionNotDurable(_logger, Client, DumpFileNames.ForLog(FileName), error);
            }

            _completionPending = true;
            return;
        }

        _completionPending = false;
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        var counters = _session.Counters;

        // Logged before the span ends, so that the line carries its trace and span ids.
        Log.TransferCompleted(_logger, Client, DumpFileNames.ForLog(FileName), _dump.Record.Journal.FileLength, elapsed.TotalSeconds,
            MegabytesPerSecond(counters.PayloadBytes, elapsed), counters.DataPackets, counters.Duplicates, counters.AckRetransmissions);
        Ended(TransferOutcome.Complete, cause: null, reason: null, elapsed);
        SendAck(finalAckBlock);
    }

    private void Refuse(KdumpErrorCode code, string message, string reason, string cause)
    {
        _refusalLength = KdumpPacketWriter.WriteError(_sendBuffer, code, message);
        Send(_sendBuffer.AsSpan(0, _refusalLength));
        EndIncomplete(reason, cause);
    }

    /// <summary>Something failed inside the relay: the Mac gets an ERROR (so it gives up at once rather than after
    /// ~48 s), what arrived is kept as incomplete, and the transfer closes. Never throws, whatever fails again on the
    /// way: it runs where an escaping exception would end the whole relay (a thread's top, a timer callback).</summary>
    private void Fail(Exception error)
    {
        Log.TransferFailed(_logger, Client, DumpFileNames.ForLog(FileName), error);
        try
        {
            if (!_ended)
            {
                Refuse(KdumpErrorCode.Undefined, "relay error", $"the relay failed: {error.GetType().Name}: {error.Message}", TransferCauses.RelayError);
            }
        }
        catch (Exception again) when (again is not OutOfMemoryException)
        {
            Log.TransferFailed(_logger, Client, DumpFileNames.ForLog(FileName), again);
            Ended(TransferOutcome.Incomplete, TransferCauses.RelayError, $"the relay failed: {again.GetType().Name}: {again.Message}",
                _time.GetElapsedTime(_startTimestamp));
        }

        Close();
    }

    /// <summary>Records the dump incomplete (or deletes it if nothing arrived) and logs it; the socket stays to linger.</summary>
    private void EndIncomplete(string reason, string cause)
    {
        if (_ended)
        {
            return;
        }

        _session.MarkIncomplete();
        _completionPending = false;
        var error = _dump.EndIncomplete(reason, FinalJournal, out var discarded);
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        try
        {
            // Logged before the span ends, so that the lines carry its trace and span ids.
            if (error is not null)
            {
                Log.JournalWriteFailed(_logger, DumpFileNames.ForLog(FileName), error);
            }

            if (discarded)
            {
                Log.TransferDiscarded(_logger, Client, DumpFileNames.ForLog(FileName), reason);
            }
            else
            {
                Log.TransferIncomplete(_logger, Client, DumpFileNames.ForLog(FileName), reason, _dump.Record.Journal.FileLength,
                    elapsed.TotalSeconds, MegabytesPerSecond(_session.Counters.PayloadBytes, elapsed));
            }
        }
        finally
        {
            Ended(discarded ? TransferOutcome.Discarded : TransferOutcome.Incomplete, cause, reason, elapsed);
        }
    }

    private void Ended(TransferOutcome outcome, string? cause, string? reason, TimeSpan elapsed)
    {
        _ended = true;
        _slot.Dispose();
        _telemetry.End(outcome, cause, reason, _session.Counters, _dump.Record.Journal.FileLength, elapsed);
    }

    private DumpJournal FinalJournal(DumpJournal journal)
    {
        var counters = _session.Counters;
        return journal with
        {
            BytesReceived = counters.PayloadBytes,
            FinishedAt = _time.GetUtcNow(),
            DataPackets = counters.DataPackets,
            Seeks = counters.Seeks,
            Duplicates = counters.Duplicates,
            AckRetransmissions = counters.AckRetransmissions,
            EofRetransmissions = counters.EofRetransmissions,
            Ignored = counters.Ignored,
        };
    }

    private static double MegabytesPerSecond(long bytes, TimeSpan elapsed) =>
        elapsed.TotalSeconds > 0 ? bytes / elapsed.TotalSeconds / 1e6 : 0;

    private void OnTimer()
    {
        try
        {
            OnSilence();
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // An exception escaping a timer callback would end the whole relay; this ends only this transfer.
            Log.TimerFailed(_logger, DumpFileNames.ForLog(FileName), error);
            lock (_gate)
            {
                Fail(error);
            }
        }
    }

    private void OnSilence()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var sinceEvent = _time.GetElapsedTime(_lastEventTimestamp, now);
            var silence = _time.GetElapsedTime(_lastDatagramTimestamp, now);
            if (_completionPending)
            {
                OnSilenceWhileCompleting(silence);
                return;
            }

            if (_session.State == TransferState.Receiving && sinceEvent < KdumpTimings.AckRetransmitInterval)
            {
                // A datagram re-armed the alarm since this timer was set, as kdumpd's alarm() does (§11.2).
                _timer.Change(KdumpTimings.AckRetransmitInterval - sinceEvent, Timeout.InfiniteTimeSpan);
                return;
            }

            var step = _session.OnSilence(silence);
            switch (step.Action)
            {
                case TransferAction.ResendAck:
                    _lastEventTimestamp = now;
                    _dump.FlushQuietly();
                    _timer.Change(KdumpTimings.AckRetransmitInterval, Timeout.InfiniteTimeSpan);
                    SendLastAck();
                    break;
                case TransferAction.GiveUp:
                    EndIncomplete($"no datagram from the Mac for {KdumpTimings.SilenceLimit.TotalSeconds:0} s", TransferCauses.Silence);
                    Close();
                    break;
                case TransferAction.Close:
                    Close();
                    break;
                default:
                    _timer.Change(KdumpTimings.FinishedLinger - silence, Timeout.InfiniteTimeSpan);
                    break;
            }
        }
    }

    /// <summary>EOF arrived but the dump could not be made durable: retry every 2 s (sending the final ACK once it
    /// is), and after the kernel's retransmissions are surely over, record it as incomplete.</summary>
    private void OnSilenceWhileCompleting(TimeSpan silence)
    {
        if (silence >= KdumpTimings.FinishedLinger)
        {
            EndIncomplete("the dump and its journal could not be made durable before the Mac gave up", TransferCauses.NotDurable);
            Close();
            return;
        }

        Complete(_session.LastAckBlock);
        _timer.Change(KdumpTimings.AckRetransmitInterval, Timeout.InfiniteTimeSpan);
    }

    private void SendLastAck()
    {
        var length = _session.WriteLastAck(_sendBuffer);
        Send(_sendBuffer.AsSpan(0, length));
    }

    private void SendAck(uint block)
    {
        KdumpPacketWriter.WriteAck(_sendBuffer, block);
        Send(_sendBuffer.AsSpan(0, KdumpPacketWriter.AckSize));
    }

    private void Send(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _socket.Send(datagram);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // Unreachable peer, a full send buffer or a socket already shut: the timer resends, the kernel retransmits.
        }
    }

    private void Close()
    {
        if (_closed)
        {
            return;
        }

        if (!_ended)
        {
            // Closed before it ended (a failure): keep what arrived, and close whatever that costs.
            try
            {
                var request = _endRequest ?? ClosedRequest;
                EndIncomplete(request.Reason, request.Cause);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                Log.TransferFailed(_logger, Client, DumpFileNames.ForLog(FileName), error);
                Ended(TransferOutcome.Incomplete, TransferCauses.RelayError, $"the relay failed: {error.GetType().Name}: {error.Message}",
                    _time.GetElapsedTime(_startTimestamp));
            }
        }

        Volatile.Write(ref _closed, true);
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        WakeReceiver();
        _onClosed(this);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _socket.Dispose();
        _lingerCancellation.Dispose();
        _dump.Dispose();
        _slot.Dispose();
    }
}

/// <summary>Why a transfer was asked to end: the reason for the journal and log, and its bounded cause.</summary>
internal sealed record EndRequest(string Reason, string Cause);
