using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Transfers;

/// <summary>
/// The UDP socket Macs send their write requests to (<c>panicd_port</c>, 1069). Each accepted request becomes a
/// transfer that answers from its own socket (kdump-protocol.md §13); this socket only ever sends refusals.
/// </summary>
internal sealed class KdumpListener : BackgroundService
{
    private readonly TransferRegistry _transfers;
    private readonly RelayMetrics _metrics;
    private readonly AllowedNetworks _allowed;
    private readonly ILogger<KdumpListener> _logger;
    private readonly IPAddress _bindAddress;
    private readonly int _port;
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly LogThrottle _refusalLog;
    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public KdumpListener(TransferRegistry transfers, RelayMetrics metrics, IOptions<RelayOptions> options, TimeProvider time, ILogger<KdumpListener> logger)
    {
        _transfers = transfers;
        _metrics = metrics;
        _logger = logger;
        _allowed = AllowedNetworks.From(options.Value);
        _bindAddress = IPAddress.Parse(options.Value.BindAddress);
        _port = options.Value.Port;
        _refusalLog = new LogThrottle(time, suppressed => Log.WriteRequestRefusalsSuppressed(_logger, suppressed, (int)LogThrottle.Window.TotalSeconds));
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _socket.Bind(new IPEndPoint(_bindAddress, _port));
        }
        catch (SocketException error)
        {
            var failure = new InvalidOperationException(
                $"Cannot listen on UDP {_bindAddress}:{_port} ({error.SocketErrorCode}). Is kdumpd or another relay using the port? Set Relay:Port or Relay:BindAddress.",
                error);
            _bound.TrySetException(failure);
            throw failure;
        }

        _bound.SetResult((IPEndPoint)_socket.LocalEndPoint!);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Where the relay listens; with <c>Relay:Port</c> 0 this tells which port was picked.</summary>
    public Task<IPEndPoint> LocalEndPoint => _bound.Task;

    /// <summary>
    /// Receives on a thread of its own, in blocking calls, so that no work elsewhere in the process (timer callbacks,
    /// a busy thread pool) can delay a WRQ's ACK 0. Stopping shuts the socket down, which wakes the blocked receive.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.ListenerStarted(_logger, (IPEndPoint)_socket.LocalEndPoint!, _allowed.ToString());
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            ReceiveLoop(stoppingToken);
            stopped.SetResult();
        })
        {
            IsBackground = true,
            Name = "kdump listener",
        };
        thread.Start();
        stoppingToken.Register(WakeReceiver);
        return stopped.Task;
    }

    private void ReceiveLoop(CancellationToken stoppingToken)
    {
        var buffer = new byte[KdumpWire.MaxDatagramSize + 1];
        var sender = new SocketAddress(AddressFamily.InterNetwork);
        var errorBuffer = new byte[512];

        // A backstop for noticing the stop should the shutdown not wake the receive.
        _socket.ReceiveTimeout = 1000;
        while (!stoppingToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException error)
            {
                // ICMP errors for earlier refusals surface here on some systems; the socket keeps working.
                Log.ListenerReceiveFailed(_logger, error.SocketErrorCode);
                continue;
            }
            catch (ObjectDisposedException)
            {
                break;
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                HandleDatagram(buffer.AsSpan(0, received), sender, errorBuffer);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // Whatever one request did, the listener keeps serving everyone else.
                Log.WriteRequestFailed(_logger, error);
            }
        }
    }

    private void WakeReceiver()
    {
        try
        {
            // On an unconnected UDP socket Linux reports ENOTCONN but still wakes the blocked receive.
            _socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }
    }

    private void HandleDatagram(ReadOnlySpan<byte> datagram, SocketAddress sender, byte[] errorBuffer)
    {
        if (datagram.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(datagram) != (ushort)KdumpOpcode.WriteRequest)
        {
            // Only WRQs belong here; stray data-phase packets (e.g. after a transfer closed) get no reply, as in kdumpd.
            return;
        }

        var client = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(sender);
        if (!_allowed.Contains(client.Address))
        {
            _metrics.Refused(TransferCauses.OutsideNetworks);
            Log.WriteRequestFromOutside(_logger, client);
            return;
        }

        if (!_transfers.TryAdmitRequest(client.Address))
        {
            // Past the per-source rate: silence costs nothing to send and gives a flood nothing to amplify.
            _metrics.Refused(TransferCauses.Throttled);
            Log.WriteRequestThrottled(_logger, client);
            return;
        }

        if (!WriteRequestParser.TryParse(datagram, out var request, out var parseError))
        {
            var (code, message) = parseError switch
            {
                WriteRequestError.InvalidFileNameEncoding => (KdumpErrorCode.AccessViolation, "file name is not UTF-8"),
                WriteRequestError.UnsupportedMode => (KdumpErrorCode.IllegalOperation, "only octet mode is supported"),
                _ => (KdumpErrorCode.IllegalOperation, "Illegal KDUMP operation"),
            };
            _metrics.Refused(TransferCauses.Malformed);
            if (_refusalLog.ShouldLog())
            {
                Log.WriteRequestRefused(_logger, client, "(unparsed)", message, "ERROR " + message);
            }

            SendTo(errorBuffer, KdumpPacketWriter.WriteError(errorBuffer, code, message), client);
            return;
        }

        var refusal = _transfers.Accept(client, request!, _bindAddress);
        if (refusal is null)
        {
            return;
        }

        if (_refusalLog.ShouldLog())
        {
            Log.WriteRequestRefused(_logger, client, DumpFileNames.ForLog(request!.FileName), refusal.Detail ?? refusal.Message,
                refusal.Silent ? "no reply" : "ERROR " + refusal.Message);
        }

        if (!refusal.Silent)
        {
            SendTo(errorBuffer, KdumpPacketWriter.WriteError(errorBuffer, refusal.Code, refusal.Message), client);
        }
    }

    private void SendTo(byte[] buffer, int length, IPEndPoint client)
    {
        try
        {
            _socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, client);
        }
        catch (SocketException)
        {
            // The kernel retransmits its WRQ anyway (§9).
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _transfers.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _socket.Dispose();
        base.Dispose();
    }
}
