using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Cli.Send;

/// <summary>One dump's socket, counters and kernel loop (kdp_send_crashdump_pkt, kdump-protocol.md §11.1).</summary>
internal sealed class SenderRun
{
    /// <summary>How long one blocking poll may last before the token and the overall deadline are checked again.</summary>
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(50);

    private const int ReceiveTimedOut = -1;
    private const int ReceiveCancelled = -2;
    private const int ReceiveExpired = -3;

    private readonly KdumpSendOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly KernelProfile _profile;
    private readonly KernelTimeouts _timeouts;
    private readonly LinkImpairment _link;
    private readonly byte[] _receiveBuffer = new byte[KdumpWire.MaxDatagramSize];
    private readonly SocketAddress _replyFrom = new(AddressFamily.InterNetwork);
    private readonly SocketAddress _serverAddress;
    private readonly long _overallDeadline;
    private SocketAddress _transferAddress;
    private SocketAddress? _lastReplyFrom;
    private int _transferPort;
    private string? _errorText;
    private bool _errorSinceLastAck;
    private long _transmissions;
    private long _retransmissions;
    private long _errorReplies;
    private long _previousBlockReplies;
    private long _unexpectedReplies;
    private long _droppedOutgoing;
    private long _droppedIncoming;
    private long _duplicatedOutgoing;
    private long _lastSentAt;
    private long _allocatedAtDataPhase = -1;

    public SenderRun(KdumpSendOptions options, CancellationToken cancellationToken)
    {
        _options = options;
        _cancellationToken = cancellationToken;
        _profile = KernelProfile.For(options.Generation);
        _timeouts = options.Timeouts;
        _link = new LinkImpairment(options.LossProbability, options.DuplicateProbability, options.Seed);
        _serverAddress = options.Server.Serialize();
        _transferAddress = _serverAddress;
        _overallDeadline = options.MaxDuration is { } max ? Stopwatch.GetTimestamp() + ToTicks(max) : long.MaxValue;
    }

    private enum ExchangeEnd
    {
        Acknowledged,
        GaveUp,
        Expired,
        Cancelled,
    }

    public KdumpSendResult Run()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(_options.LocalAddress ?? IPAddress.Any, 0));
        var writer = new KdumpClientPacketWriter(_options.Generation);
        var started = Stopwatch.GetTimestamp();

        // The WRQ always goes to the server port (panicd_port); its ACK 0 carries the features (§4.3).
        var exchange = SendUntilAcknowledged(socket, writer.WriteRequest(_options.FileName).Span, isWriteRequest: true, 0, out var acknowledgedFeatures);
        if (exchange != ExchangeEnd.Acknowledged)
        {
            return Result(exchange, started, null, KdumpFeatures.None, default, ReadOnlyMemory<long>.Empty, 0, acknowledgedPackets: 0);
        }

        var writeRequestRoundTrip = Stopwatch.GetElapsedTime(_lastSentAt);
        var features = _profile.EffectiveFeatures(acknowledgedFeatures);
        var plan = DumpPlan.Create(_options.Content, _options.Kind, _options.Generation, features, _options.FileName);
        var roundTrips = new long[plan.Operations.Count];
        long payloadBytes = 0;
        _allocatedAtDataPhase = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < plan.Operations.Count; i++)
        {
            exchange = SendUntilAcknowledged(socket, writer.Operation(plan, i).Span, isWriteRequest: false, unchecked((uint)(i + 1)), out _);
            if (exchange != ExchangeEnd.Acknowledged)
            {
                return Result(exchange, started, plan, features, writeRequestRoundTrip, roundTrips.AsMemory(0, i), payloadBytes, acknowledgedPackets: i + 1);
            }

            roundTrips[i] = Stopwatch.GetTimestamp() - _lastSentAt;
            payloadBytes += plan.Operations[i].Kind == DumpOperationKind.Data ? plan.Operations[i].Length : 0;
        }

        return Result(ExchangeEnd.Acknowledged, started, plan, features, writeRequestRoundTrip, roundTrips, payloadBytes, acknowledgedPackets: plan.Operations.Count + 1);
    }

    /// <summary>
    /// Sends one packet until the kernel counts it acknowledged (§11.1): a first wait of 10.5 s (WRQ) or 7.5 s; on a
    /// timeout, spin (tretries % 4) × 100 ms and retransmit with a 3 s budget; on ERROR, retransmit at once with 3 s;
    /// a reply for block − 1 is ignored the first time and then triggers a retransmit within the remaining budget;
    /// anything else counts as the ACK. The 15th transmission is never made: the kernel gives up.
    /// </summary>
    private ExchangeEnd SendUntilAcknowledged(Socket socket, ReadOnlySpan<byte> datagram, bool isWriteRequest, uint panicBlock, out KdumpFeatures features)
    {
        features = KdumpFeatures.None;
        var budget = ToTicks(isWriteRequest ? _timeouts.WriteRequestWait : _timeouts.PacketWait);
        var transmissions = 0;
        var previousBlockReplies = 0;
        _errorSinceLastAck = false;
        while (true)
        {
            if (++transmissions > KernelTimeouts.MaxTransmissions)
            {
                return ExchangeEnd.GaveUp;
            }

            if (transmissions > 1)
            {
                _retransmissions++;
            }

            Transmit(socket, datagram, isWriteRequest ? _serverAddress : _transferAddress);
            var deadline = _lastSentAt + budget;
            while (true)
            {
                var received = Receive(socket, deadline);
                if (received == ReceiveTimedOut)
                {
                    budget = ToTicks(_timeouts.RetryWait);
                    if (_cancellationToken.WaitHandle.WaitOne(_timeouts.SpinBeforeRetransmit(transmissions)))
                    {
                        return ExchangeEnd.Cancelled;
                    }

                    break;
                }

                if (received < 0)
                {
                    return received == ReceiveCancelled ? ExchangeEnd.Cancelled : ExchangeEnd.Expired;
                }

                var reply = _receiveBuffer.AsSpan(0, received);
                switch (KernelReply.Interpret(_profile, isWriteRequest, panicBlock, reply, out features))
                {
                    case KernelReplyKind.Acknowledged:
                        return ExchangeEnd.Acknowledged;
                    case KernelReplyKind.Error:
                        _errorReplies++;
                        _errorSinceLastAck = true;
                        _errorText = KernelReply.ErrorText(reply);
                        budget = ToTicks(_timeouts.RetryWait);
                        break;
                    case KernelReplyKind.PreviousBlock:
                        _previousBlockReplies++;
                        if (++previousBlockReplies == 1)
                        {
                            continue;
                        }

                        budget = Math.Max(0, deadline - Stopwatch.GetTimestamp());
                        break;
                    default:
                        _unexpectedReplies++;
                        return ExchangeEnd.Acknowledged;
                }

                break;
            }
        }
    }

    /// <summary>Waits until <paramref name="deadline"/> for a reply that the emulated link lets through; learns the
    /// transfer port from its source port (§11.1). Returns its length, or a negative reason.</summary>
    private int Receive(Socket socket, long deadline)
    {
        while (true)
        {
            if (_cancellationToken.IsCancellationRequested)
            {
                return ReceiveCancelled;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= _overallDeadline)
            {
                return ReceiveExpired;
            }

            if (now >= deadline)
            {
                return ReceiveTimedOut;
            }

            var wait = Stopwatch.GetElapsedTime(now, Math.Min(deadline, _overallDeadline));
            if (!socket.Poll(wait < PollSlice ? wait : PollSlice, SelectMode.SelectRead))
            {
                continue;
            }

            int length;
            try
            {
                length = socket.ReceiveFrom(_receiveBuffer, SocketFlags.None, _replyFrom);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
            {
                // An ICMP error reported on the socket (Windows does this for unconnected UDP), or an oversized datagram.
                continue;
            }

            if (_link.DropsNext())
            {
                _droppedIncoming++;
                continue;
            }

            LearnTransferPort();
            return length;
        }
    }

    /// <summary>kdp_poll sets last_panic_port from every datagram's source port; the source IP is not checked (§11.1).</summary>
    private void LearnTransferPort()
    {
        if (_lastReplyFrom is not null && _replyFrom.Equals(_lastReplyFrom))
        {
            return;
        }

        var from = (IPEndPoint)_options.Server.Create(_replyFrom);
        _lastReplyFrom = from.Serialize();
        if (from.Port != _transferPort)
        {
            _transferPort = from.Port;
            _transferAddress = new IPEndPoint(_options.Server.Address, from.Port).Serialize();
        }
    }

    private void Transmit(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        // Stamped before sending: on loopback the reply can be queued before sendto returns.
        _lastSentAt = Stopwatch.GetTimestamp();
        _transmissions++;
        if (_link.DropsNext())
        {
            _droppedOutgoing++;
        }
        else
        {
            socket.SendTo(datagram, SocketFlags.None, destination);
        }

        if (_link.DuplicatesNext())
        {
            _duplicatedOutgoing++;
            socket.SendTo(datagram, SocketFlags.None, destination);
        }
    }

    private KdumpSendResult Result(ExchangeEnd exchange, long started, DumpPlan? plan, KdumpFeatures features,
        TimeSpan writeRequestRoundTrip, ReadOnlyMemory<long> roundTrips, long payloadBytes, long acknowledgedPackets)
    {
        var outcome = exchange switch
        {
            ExchangeEnd.Acknowledged => SendOutcome.Completed,
            ExchangeEnd.Cancelled => SendOutcome.Cancelled,
            ExchangeEnd.GaveUp when _errorSinceLastAck => SendOutcome.Refused,
            _ => SendOutcome.TimedOut,
        };
        var detail = exchange switch
        {
            ExchangeEnd.GaveUp => $"gave up after {KernelTimeouts.MaxTransmissions} transmissions of {(acknowledgedPackets == 0 ? "the WRQ" : $"block {acknowledgedPackets}")} (Cannot contact panic server, timing out)",
            ExchangeEnd.Expired => $"stopped after {_options.MaxDuration}",
            ExchangeEnd.Cancelled => "cancelled",
            _ => null,
        };
        var dataPhaseAllocations = _allocatedAtDataPhase < 0 ? 0 : GC.GetAllocatedBytesForCurrentThread() - _allocatedAtDataPhase;
        return new KdumpSendResult
        {
            FileName = _options.FileName,
            Outcome = outcome,
            ErrorText = _errorText,
            Detail = detail,
            Features = features,
            Plan = plan,
            ServerTransferPort = _transferPort,
            Elapsed = Stopwatch.GetElapsedTime(started),
            PayloadBytes = payloadBytes,
            PacketsAcknowledged = acknowledgedPackets,
            Transmissions = _transmissions,
            Retransmissions = _retransmissions,
            ErrorReplies = _errorReplies,
            PreviousBlockReplies = _previousBlockReplies,
            UnexpectedReplies = _unexpectedReplies,
            DroppedOutgoing = _droppedOutgoing,
            DroppedIncoming = _droppedIncoming,
            DuplicatedOutgoing = _duplicatedOutgoing,
            WriteRequestRoundTrip = writeRequestRoundTrip,
            AckRoundTripTicks = roundTrips,
            DataPhaseAllocatedBytes = dataPhaseAllocations,
        };
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
