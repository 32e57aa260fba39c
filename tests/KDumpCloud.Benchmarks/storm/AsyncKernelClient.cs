using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// A panicking Mac's dump client (kdp_send_crashdump_pkt, kdump-protocol.md §11.1) on an async socket, so a thousand
/// of them share a few pool threads: the WRQ to the server port, every later packet to the port the replies come
/// from, stop-and-wait, the kernel's waits (10.5 s / 7.5 s / 3 s), its spin before a retransmission, its reading of
/// replies (<see cref="KernelReply"/>) and its 14-transmission limit. The same rules as <c>kdumpcloud send</c>'s
/// <c>SenderRun</c>, which blocks a thread per Mac; the packets come from the same <see cref="KdumpClientPacketWriter"/>
/// and <see cref="DumpPlan"/>.
/// </summary>
internal sealed class AsyncKernelClient
{
    private readonly MacSpec _spec;
    private readonly WrqStats _wrqStats;
    private readonly KernelProfile _profile;
    private readonly byte[] _receiveBuffer = new byte[KdumpWire.MaxDatagramSize];
    private readonly SocketAddress _replyFrom = new(AddressFamily.InterNetwork);
    private readonly SocketAddress _serverAddress;
    private SocketAddress _transferAddress;
    private SocketAddress? _lastReplyFrom;
    private string? _errorText;
    private bool _errorSinceLastAck;
    private long _lastSentAt;

    public AsyncKernelClient(MacSpec spec, WrqStats wrqStats)
    {
        _spec = spec;
        _wrqStats = wrqStats;
        _profile = KernelProfile.For(spec.Generation);
        _serverAddress = spec.Server.Serialize();
        _transferAddress = _serverAddress;
    }

    private enum ExchangeEnd
    {
        Acknowledged,
        GaveUp,
    }

    /// <summary>Runs the dump to its end; <paramref name="cancellationToken"/> ends it as <see cref="MacOutcome.Cancelled"/>.</summary>
    public async Task<MacResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Socket socket;
        try
        {
            socket = SourceSocket.Bind(_spec.Local);
        }
        catch (SocketException e)
        {
            return new MacResult(_spec.FileName, MacOutcome.SocketFailed, null, null, TimeSpan.Zero, $"bind {_spec.Local}: {e.SocketErrorCode}");
        }

        using (socket)
        {
            try
            {
                return await DumpAsync(socket, started, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return End(MacOutcome.Cancelled, started, null, "stopped by the harness's deadline");
            }
        }
    }

    private async Task<MacResult> DumpAsync(Socket socket, long started, CancellationToken cancellationToken)
    {
        var writer = new KdumpClientPacketWriter(_spec.Generation);
        var (end, features) = await ExchangeAsync(socket, writer.WriteRequest(_spec.FileName), isWriteRequest: true, 0, cancellationToken);
        if (end != ExchangeEnd.Acknowledged)
        {
            return GaveUp(started, "the WRQ");
        }

        var writeRequestToAck = Stopwatch.GetElapsedTime(_lastSentAt);
        var plan = DumpPlan.Create(_spec.Content, DumpKind.Core, _spec.Generation, _profile.EffectiveFeatures(features), _spec.FileName);
        for (var i = 0; i < plan.Operations.Count; i++)
        {
            (end, _) = await ExchangeAsync(socket, writer.Operation(plan, i), isWriteRequest: false, unchecked((uint)(i + 1)), cancellationToken);
            if (end != ExchangeEnd.Acknowledged)
            {
                return GaveUp(started, $"block {i + 1}") with { WriteRequestToAck = writeRequestToAck };
            }
        }

        var expected = plan.ReproducesContent ? ContentHash.Sha256Hex(_spec.Content.Span) : KdumpdStoredBytes.Sha256Hex(plan);
        return new MacResult(_spec.FileName, MacOutcome.Completed, expected, writeRequestToAck, Stopwatch.GetElapsedTime(started), null);
    }

    /// <summary>
    /// Sends one packet until the kernel counts it acknowledged (§11.1): a first wait of 10.5 s (WRQ) or 7.5 s; on a
    /// timeout, spin (tretries % 4) × 100 ms and retransmit with a 3 s budget; on ERROR, retransmit at once with 3 s;
    /// a reply for block − 1 is ignored the first time and then triggers a retransmit within the remaining budget;
    /// anything else counts as the ACK. The 15th transmission is never made.
    /// </summary>
    private async ValueTask<(ExchangeEnd End, KdumpFeatures Features)> ExchangeAsync(Socket socket, ReadOnlyMemory<byte> datagram,
        bool isWriteRequest, uint panicBlock, CancellationToken cancellationToken)
    {
        var budget = isWriteRequest ? _spec.Timeouts.WriteRequestWait : _spec.Timeouts.PacketWait;
        var previousBlockReplies = 0;
        _errorSinceLastAck = false;
        for (var transmissions = 1; transmissions <= KernelTimeouts.MaxTransmissions; transmissions++)
        {
            _lastSentAt = Stopwatch.GetTimestamp();
            await socket.SendToAsync(datagram, SocketFlags.None, isWriteRequest ? _serverAddress : _transferAddress, cancellationToken);
            var deadline = _lastSentAt + ToTicks(budget);
            var firstReply = true;
            while (true)
            {
                var received = await ReceiveAsync(socket, deadline, cancellationToken);
                if (received < 0)
                {
                    if (isWriteRequest && firstReply)
                    {
                        _wrqStats.RecordUnanswered();
                    }

                    budget = _spec.Timeouts.RetryWait;
                    await Task.Delay(_spec.Timeouts.SpinBeforeRetransmit(transmissions), cancellationToken);
                    break;
                }

                var reply = _receiveBuffer.AsSpan(0, received);
                var kind = KernelReply.Interpret(_profile, isWriteRequest, panicBlock, reply, out var features);
                if (isWriteRequest && firstReply)
                {
                    RecordWriteRequestReply(kind);
                }

                firstReply = false;
                switch (kind)
                {
                    case KernelReplyKind.Acknowledged:
                        return (ExchangeEnd.Acknowledged, features);
                    case KernelReplyKind.Error:
                        _errorSinceLastAck = true;
                        _errorText = KernelReply.ErrorText(reply);
                        budget = _spec.Timeouts.RetryWait;
                        break;
                    case KernelReplyKind.PreviousBlock:
                        if (++previousBlockReplies == 1)
                        {
                            continue;
                        }

                        budget = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Max(deadline, Stopwatch.GetTimestamp()));
                        break;
                    default:
                        return (ExchangeEnd.Acknowledged, features);
                }

                break;
            }
        }

        return (ExchangeEnd.GaveUp, KdumpFeatures.None);
    }

    private void RecordWriteRequestReply(KernelReplyKind kind)
    {
        switch (kind)
        {
            case KernelReplyKind.Acknowledged:
                _wrqStats.RecordAck(Stopwatch.GetTimestamp() - _lastSentAt);
                break;
            case KernelReplyKind.Error:
                _wrqStats.RecordError();
                break;
            default:
                _wrqStats.RecordOther();
                break;
        }
    }

    /// <summary>Waits until <paramref name="deadline"/> for a reply; learns the transfer port from its source port
    /// (§11.1: the source IP is not checked). Returns its length, or −1 when the wait ran out.</summary>
    private async ValueTask<int> ReceiveAsync(Socket socket, long deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (wait <= TimeSpan.Zero)
            {
                return -1;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _replyFrom, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return -1;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
            {
                continue;
            }

            LearnTransferPort();
            return length;
        }
    }

    private void LearnTransferPort()
    {
        if (_lastReplyFrom is not null && _replyFrom.Equals(_lastReplyFrom))
        {
            return;
        }

        var from = (IPEndPoint)_spec.Server.Create(_replyFrom);
        _lastReplyFrom = from.Serialize();
        _transferAddress = new IPEndPoint(_spec.Server.Address, from.Port).Serialize();
    }

    private MacResult GaveUp(long started, string packet) => End(
        _errorSinceLastAck ? MacOutcome.Refused : MacOutcome.TimedOut, started, null,
        $"gave up after {KernelTimeouts.MaxTransmissions} transmissions of {packet}" + (_errorText is { } text ? $"; server said \"{text}\"" : ""));

    private MacResult End(MacOutcome outcome, long started, TimeSpan? writeRequestToAck, string detail) =>
        new(_spec.FileName, outcome, null, writeRequestToAck, Stopwatch.GetElapsedTime(started), detail);

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
