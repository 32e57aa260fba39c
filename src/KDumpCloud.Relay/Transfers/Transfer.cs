using System.Net;
using System.Net.Sockets;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Kdump.Transfers;
using KDumpCloud.Relay.Spool;
using Microsoft.Win32.SafeHandles;

namespace KDumpCloud.Relay.Transfers;

/// <summary>
/// One Mac's dump: the <see cref="TransferSession"/> state machine driven by a socket of its own, connected to the
/// Mac, as kdumpd's per-transfer child does (kdump-protocol.md §13), and a file in the spool.
/// </summary>
/// <remarks>
/// The receive loop and the retransmit timer both run under <see cref="_gate"/>. The DATA path allocates nothing:
/// one receive buffer per transfer, payloads gathered by <see cref="DumpWriter"/>, and a synchronous send of a
/// 6-byte ACK. The SHA-256 is computed from
/// the file after the final ACK: hashing each packet on the way cost ~4 µs of CPU per packet, ~18 % of throughput.
/// </remarks>
internal sealed class Transfer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TransferSession _session;
    private readonly Socket _socket;
    private readonly DumpWriter _writer;
    private readonly DumpSpool _spool;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _spoolQuotaBytes;
    private readonly Action<Transfer> _onClosed;
    private readonly byte[] _receiveBuffer = new byte[KdumpWire.MaxDatagramSize + 1];
    private readonly byte[] _sendBuffer = new byte[128];
    private readonly ITimer _timer;
    private readonly long _startTimestamp;
    private readonly long _maxDumpBytes;
    private DumpJournal _journal;
    private int _refusalLength;
    private long _lastDatagramTimestamp;
    private long _lastEventTimestamp;
    private long _reservedLength;
    private bool _closed;

    public Transfer(
        IPEndPoint client,
        WriteRequest request,
        SafeFileHandle file,
        DumpSpool spool,
        long maxDumpBytes,
        TimeProvider time,
        ILogger logger,
        long spoolQuotaBytes,
        Action<Transfer> onClosed)
    {
        Client = client;
        _writer = new DumpWriter(file);
        _spool = spool;
        _time = time;
        _logger = logger;
        _spoolQuotaBytes = spoolQuotaBytes;
        _onClosed = onClosed;
        _maxDumpBytes = maxDumpBytes;
        _session = new TransferSession(request, maxDumpBytes);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _startTimestamp = _lastDatagramTimestamp = _lastEventTimestamp = time.GetTimestamp();
        _journal = new DumpJournal
        {
            DumpId = Guid.CreateVersion7(time.GetUtcNow()),
            FileName = request.FileName,
            Client = client.ToString(),
            State = DumpState.Receiving,
            Features = (int)_session.Features,
            MaxPayload = KdumpWire.MaxPayload(_session.Features),
            StartedAt = time.GetUtcNow(),
        };
        _timer = time.CreateTimer(static state => ((Transfer)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public IPEndPoint Client { get; }

    public string FileName => _session.Request.FileName;

    /// <summary>Read without the lock, so that a WRQ never waits on another transfer's fsync; a value one datagram
    /// old is good enough for counting transfers.</summary>
    public TransferState State => _session.State;

    /// <summary>Binds the reply socket, sends ACK 0 (§4.3) and records the dump as receiving.</summary>
    public void Start(IPAddress localAddress)
    {
        _socket.Bind(new IPEndPoint(localAddress, 0));
        _socket.Connect(Client);
        lock (_gate)
        {
            SendLastAck();
            _timer.Change(KdumpTimings.AckRetransmitInterval, Timeout.InfiniteTimeSpan);

            // After ACK 0, which waits only on the file's creation: a dump whose first journal never reached the
            // disk is found by recovery all the same (DumpSpool's fsync policy), so a failure here only gets logged.
            TryWriteJournal(durable: false);
        }

        Log.TransferStarted(_logger, Client, DumpFileNames.ForLog(FileName), (int)_session.Features,
            KdumpWire.MaxPayload(_session.Features), ((IPEndPoint)_socket.LocalEndPoint!).Port);
    }

    /// <summary>The Mac sent its WRQ again before any data: our ACK 0 was lost. kdumpd answers EEXIST from a second
    /// process here (kdump-protocol.md §13); we send ACK 0 again from this transfer's socket.</summary>
    public bool TryAnswerRetransmittedRequest(WriteRequest request)
    {
        lock (_gate)
        {
            if (_closed || !_session.IsRetransmissionOf(request))
            {
                return false;
            }

            _lastDatagramTimestamp = _lastEventTimestamp = _time.GetTimestamp();
            SendLastAck();
            return true;
        }
    }

    /// <summary>
    /// Receives on a thread of its own, in blocking calls, as kdumpd's per-transfer process does. Stop-and-wait makes
    /// the round trip the limit (§17): a blocked thread wakes straight into the handler, where an async receive
    /// would add a hop through the thread pool to every packet.
    /// </summary>
    public Task RunAsync(CancellationToken stopping)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop(stopping);
                finished.SetResult();
            }
            catch (Exception error)
            {
                finished.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "kdump transfer " + Client,
        };
        thread.Start();
        return finished.Task;
    }

    private void ReceiveLoop(CancellationToken stopping)
    {
        // A backstop for noticing the host stopping; Close() wakes the thread at once by shutting the socket down.
        _socket.ReceiveTimeout = 5000;
        while (!stopping.IsCancellationRequested && !Volatile.Read(ref _closed))
        {
            int received;
            try
            {
                received = _socket.Receive(_receiveBuffer);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // An ICMP port-unreachable for one of our ACKs. kdumpd aborts here (§11.2); the Mac may simply not
                // have been listening for a moment, so keep waiting until the silence limit says otherwise.
                continue;
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                break;
            }

            lock (_gate)
            {
                if (!_closed)
                {
                    OnDatagram(_receiveBuffer.AsSpan(0, received));
                }
            }
        }

        Stop();
    }

    /// <summary>Ends a live transfer because its Mac started a new one (it can only be dumping once).</summary>
    public void Supersede() => End("the same Mac started a new dump before this one ended");

    /// <summary>Ends the transfer because the relay is stopping; a dump still receiving is kept as incomplete.</summary>
    public void Stop() => End("the relay stopped during the transfer");

    private void End(string reason)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (_journal.State == DumpState.Receiving)
            {
                _session.MarkIncomplete();
                Finish(DumpState.Incomplete, reason);
            }

            Close();
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
                Write(datagram.Slice(step.PayloadStart, step.PayloadLength), step.Offset, step.AckBlock);
                break;
            case TransferAction.Seek:
                SendAck(step.AckBlock);
                break;
            case TransferAction.ResendAck:
                // The same bytes as before, so a resent ACK 0 keeps its feature byte (§4.3).
                SendLastAck();
                break;
            case TransferAction.Complete:
                Complete(step.AckBlock);
                break;
            case TransferAction.Abort:
                Finish(DumpState.Incomplete, "the Mac sent an ERROR");
                break;
            case TransferAction.LimitExceeded:
                Refuse(KdumpErrorCode.DiskFull, $"dump exceeds the relay's limit of {_maxDumpBytes} bytes", "the dump exceeded Relay:MaxDumpBytes");
                break;
            case TransferAction.Ignore:
            default:
                break;
        }
    }

    private void Write(ReadOnlySpan<byte> payload, long offset, uint ackBlock)
    {
        var end = offset + payload.Length;
        if (end > _reservedLength)
        {
            if (!_spool.TryReserve(end - _reservedLength, _spoolQuotaBytes))
            {
                Refuse(KdumpErrorCode.DiskFull, "relay spool is full", "the spool reached Relay:SpoolQuotaBytes");
                return;
            }

            _reservedLength = end;
        }

        try
        {
            _writer.Write(payload, offset);
        }
        catch (IOException error)
        {
            Refuse(KdumpErrorCode.DiskFull, "relay cannot write the dump", $"writing failed: {error.Message}");
            return;
        }

        SendAck(ackBlock);
    }

    private void Complete(uint finalAckBlock)
    {
        try
        {
            // On disk before the final ACK (DumpSpool's fsync policy).
            _writer.FlushToDisk();
        }
        catch (IOException error)
        {
            Refuse(KdumpErrorCode.DiskFull, "relay cannot write the dump", $"writing failed: {error.Message}");
            return;
        }

        Finish(DumpState.Complete, reason: null);
        SendAck(finalAckBlock);
    }

    private void Refuse(KdumpErrorCode code, string message, string reason)
    {
        _session.MarkIncomplete();
        _refusalLength = KdumpPacketWriter.WriteError(_sendBuffer, code, message);
        Send(_sendBuffer.AsSpan(0, _refusalLength));
        Finish(DumpState.Incomplete, reason);
    }

    /// <summary>Records the end in the journal (durably) and logs it; the socket stays to linger.</summary>
    private void Finish(DumpState state, string? reason)
    {
        if (state != DumpState.Complete)
        {
            // Complete() has already flushed and fsynced; every other end keeps what it can.
            FlushQuietly(toDisk: true);
        }

        var length = _writer.FileLength;
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        var counters = _session.Counters;
        _journal = _journal with
        {
            State = state,
            Reason = reason,
            BytesReceived = counters.PayloadBytes,
            FileLength = length,
            FinishedAt = _time.GetUtcNow(),
            DataPackets = counters.DataPackets,
            Seeks = counters.Seeks,
            Duplicates = counters.Duplicates,
            AckRetransmissions = counters.AckRetransmissions,
            EofRetransmissions = counters.EofRetransmissions,
            Ignored = counters.Ignored,
        };
        if (TryWriteJournal(durable: true))
        {
            _spool.RecordHashInBackground(_journal);
        }

        var megabytesPerSecond = elapsed.TotalSeconds > 0 ? counters.PayloadBytes / elapsed.TotalSeconds / 1e6 : 0;
        if (state == DumpState.Complete)
        {
            Log.TransferCompleted(_logger, Client, DumpFileNames.ForLog(FileName), length, elapsed.TotalSeconds,
                megabytesPerSecond, counters.DataPackets, counters.Duplicates, counters.AckRetransmissions);
        }
        else
        {
            Log.TransferIncomplete(_logger, Client, DumpFileNames.ForLog(FileName), reason ?? "unknown", length,
                elapsed.TotalSeconds, megabytesPerSecond);
        }
    }

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
                Close();
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
                    FlushQuietly(toDisk: false);
                    SendLastAck();
                    _timer.Change(KdumpTimings.AckRetransmitInterval, Timeout.InfiniteTimeSpan);
                    break;
                case TransferAction.GiveUp:
                    Finish(DumpState.Incomplete, $"no datagram from the Mac for {KdumpTimings.SilenceLimit.TotalSeconds:0} s");
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

    /// <summary>A journal that cannot be written (disk full, permissions) must not take the transfer, its thread or
    /// the timer down with it: recovery rebuilds the journal from the file at the next start.</summary>
    private bool TryWriteJournal(bool durable)
    {
        try
        {
            _spool.WriteJournal(_journal, durable);
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Log.JournalWriteFailed(_logger, DumpFileNames.ForLog(FileName), error);
            return false;
        }
    }

    /// <summary>Puts buffered payloads on disk when the Mac goes quiet or the transfer ends; a failure leaves the
    /// file with what did reach the disk, which the journal then records.</summary>
    private void FlushQuietly(bool toDisk)
    {
        try
        {
            if (toDisk)
            {
                _writer.FlushToDisk();
            }
            else
            {
                _writer.Flush();
            }
        }
        catch (IOException)
        {
        }
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
        catch (SocketException)
        {
            // Unreachable peer or a full send buffer: the timer resends, the kernel retransmits.
        }
    }

    private void Close()
    {
        if (_closed)
        {
            return;
        }

        Volatile.Write(ref _closed, true);
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            // Wakes the receive thread out of its blocking call.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _onClosed(this);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _socket.Dispose();
        _writer.Dispose();
    }
}
