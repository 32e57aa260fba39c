using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Relay.Tests.Send;

/// <summary>
/// The sender's kernel retransmission rules (kdump-protocol.md §9, §11.1) against a raw UDP socket on 127.0.0.1 that
/// plays the server exactly as each test needs.
/// </summary>
public sealed class SenderTimingTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Budgets ÷10 (750 ms after DATA): wide enough apart to tell "waited" from "at once" on a busy machine.</summary>
    private static readonly KernelTimeouts Tenth = KernelTimeouts.Kernel.Scaled(10);

    private readonly Socket _serverPort = Bound();
    private readonly Socket _transferPort = Bound();
    private readonly byte[] _buffer = new byte[2048];
    private volatile bool _dataStarted;

    public void Dispose()
    {
        _serverPort.Dispose();
        _transferPort.Dispose();
    }

    [Fact]
    public async Task SendAsync_NobodyAnswers_Sends14WriteRequestsThenTimesOut()
    {
        var send = Sender(KernelTimeouts.Fast).SendAsync();

        var arrivals = await CountArrivalsAsync(_serverPort, until: send);
        var result = await send;

        Assert.Equal(SendOutcome.TimedOut, result.Outcome);
        Assert.Equal(14, arrivals);
        Assert.Equal(14, result.Transmissions);
        Assert.Equal(13, result.Retransmissions);
        // 210 ms, then 13 × 60 ms of budget and the (tretries % 4) × 2 ms spins.
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(990), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SendAsync_EveryWriteRequestDrawsAnError_RetransmitsAtOnceAndIsRefused()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var send = Sender(KernelTimeouts.Kernel).SendAsync(cancel.Token);
        var arrivals = 0;
        while (arrivals < 14)
        {
            var from = await ReceiveAsync(_serverPort, cancel.Token);
            arrivals++;
            await _serverPort.SendToAsync("\0\u0005\0\u0002\0\0Access violatio"u8.ToArray(), from, cancel.Token);
        }

        var result = await send;

        Assert.Equal(SendOutcome.Refused, result.Outcome);
        Assert.Equal("Access violatio", result.ErrorText);
        Assert.Equal(14, result.ErrorReplies);
        // With the kernel's real timing, any wait would take 3 s or more: the 14 WRQs came at once.
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(2), $"took {result.Elapsed}");
    }

    [Fact]
    public async Task SendAsync_OnePreviousBlockReply_IsIgnoredAndTheKernelWaitsItsBudget()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var send = Sender(Tenth).SendAsync(cancel.Token);
        var mac = await AcceptWriteRequestAsync(cancel.Token);

        Assert.Equal(1u, await ReceiveBlockAsync(cancel.Token));
        var first = Stopwatch.GetTimestamp();
        await AckAsync(0, mac, cancel.Token);
        Assert.Equal(1u, await ReceiveBlockAsync(cancel.Token));
        var gap = Stopwatch.GetElapsedTime(first);
        await FinishAsync(mac, dataAlreadyReceived: true, cancel.Token);

        var result = await send;
        Assert.Equal(SendOutcome.Completed, result.Outcome);
        Assert.True(gap >= TimeSpan.FromMilliseconds(600), $"retransmitted after {gap}");
        Assert.Equal(1, result.PreviousBlockReplies);
        Assert.Equal(1, result.Retransmissions);
    }

    [Fact]
    public async Task SendAsync_SecondPreviousBlockReply_TriggersARetransmitAtOnce()
    {
        // The kernel's real 7.5 s budget, so that "at once" stands far from "waited" even on a loaded machine.
        using var cancel = new CancellationTokenSource(Deadline);
        var send = Sender(KernelTimeouts.Kernel).SendAsync(cancel.Token);
        var mac = await AcceptWriteRequestAsync(cancel.Token);

        Assert.Equal(1u, await ReceiveBlockAsync(cancel.Token));
        var first = Stopwatch.GetTimestamp();
        await AckAsync(0, mac, cancel.Token);
        await AckAsync(0, mac, cancel.Token);
        Assert.Equal(1u, await ReceiveBlockAsync(cancel.Token));
        var gap = Stopwatch.GetElapsedTime(first);
        await FinishAsync(mac, dataAlreadyReceived: true, cancel.Token);

        var result = await send;
        Assert.Equal(SendOutcome.Completed, result.Outcome);
        Assert.True(gap < TimeSpan.FromSeconds(3), $"retransmitted after {gap}");
        Assert.Equal(2, result.PreviousBlockReplies);
    }

    [Fact]
    public async Task SendAsync_AfterAck0_SendsDataToThePortTheAckCameFrom()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var send = Sender(Tenth).SendAsync(cancel.Token);
        var mac = await AcceptWriteRequestAsync(cancel.Token);

        await FinishAsync(mac, dataAlreadyReceived: false, cancel.Token);

        var result = await send;
        Assert.Equal(SendOutcome.Completed, result.Outcome);
        Assert.Equal(((IPEndPoint)_transferPort.LocalEndPoint!).Port, result.ServerTransferPort);
        Assert.Equal(100, result.PayloadBytes);
        Assert.Equal(0, result.Retransmissions);
        Assert.Equal(2, result.AckRoundTripTicks.Length);
    }

    [Fact]
    public async Task SendAsync_ManyPackets_AllocateNothingPerPacket()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var options = new KdumpSendOptions
        {
            Server = (IPEndPoint)_serverPort.LocalEndPoint!,
            LocalAddress = IPAddress.Loopback,
            FileName = "core-allocation-test",
            Content = new byte[2000 * 1406],

            // The kernel's own waits: with the fast ones a loaded machine (Azurite starting beside this test) made
            // the peer late, and the retransmission's timeout exception was counted as a per-packet allocation.
            Timeouts = KernelTimeouts.Kernel,
            MaxDuration = Deadline,
        };
        var send = new KdumpSender(options).SendAsync(cancel.Token);
        var mac = await AcceptWriteRequestAsync(cancel.Token);
        var peer = AckEverythingAsync(mac, cancel.Token);

        var result = await send;
        await cancel.CancelAsync();
        await peer;

        Assert.Equal(SendOutcome.Completed, result.Outcome);
        Assert.Equal(2001, result.AckRoundTripTicks.Length);
        Assert.Equal(0, result.Retransmissions);
        Assert.True(result.DataPhaseAllocatedBytes < 1024, $"{result.DataPhaseAllocatedBytes} bytes for 2001 packets");
    }

    [Fact]
    public async Task SendAsync_WithSeededLossAndDuplication_RecoversAndCountsThem()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var options = new KdumpSendOptions
        {
            Server = (IPEndPoint)_serverPort.LocalEndPoint!,
            LocalAddress = IPAddress.Loopback,
            FileName = "core-loss-test",
            Content = new byte[100 * 1406],
            // A fifth of the kernel's budgets: short enough for a quick test, long enough that a loaded machine's test
            // peer (which answers every WRQ and ACKs every packet) is not mistaken for a dead server.
            Timeouts = KernelTimeouts.Kernel.Scaled(20),
            LossProbability = 0.1,
            DuplicateProbability = 0.1,
            Seed = 42,
            MaxDuration = Deadline,
        };
        var send = new KdumpSender(options).SendAsync(cancel.Token);
        var mac = await AcceptWriteRequestAsync(cancel.Token);
        var peer = AckEverythingAsync(mac, cancel.Token);
        var lostAck0 = AnswerWriteRequestRetransmissionsAsync(cancel.Token);

        var result = await send;
        await cancel.CancelAsync();
        await Task.WhenAll(peer, lostAck0);

        Assert.True(result.Outcome == SendOutcome.Completed, $"{result.Outcome}: {result.Detail}, {result.PacketsAcknowledged} acknowledged, {result.Transmissions} sent");
        Assert.True(result.DroppedOutgoing > 0 && result.DroppedIncoming > 0 && result.DuplicatedOutgoing > 0,
            $"dropped {result.DroppedOutgoing} out, {result.DroppedIncoming} in, duplicated {result.DuplicatedOutgoing}");
        Assert.True(result.Retransmissions >= result.DroppedOutgoing, $"{result.Retransmissions} retransmissions");
        Assert.Equal(result.Transmissions - result.Retransmissions, result.PacketsAcknowledged);
    }

    [Fact]
    public async Task SendAsync_Cancelled_ReturnsCancelledPromptly()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var result = await Sender(KernelTimeouts.Kernel).SendAsync(cancel.Token);

        Assert.Equal(SendOutcome.Cancelled, result.Outcome);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(3), $"took {result.Elapsed}");
    }

    private KdumpSender Sender(KernelTimeouts timeouts) => new(new KdumpSendOptions
    {
        Server = (IPEndPoint)_serverPort.LocalEndPoint!,
        LocalAddress = IPAddress.Loopback,
        FileName = "core-timing-test",
        Content = new byte[100],
        Generation = KernelGeneration.Xnu7195Plus,
        Timeouts = timeouts,
        MaxDuration = Deadline,
    });

    /// <summary>Takes the WRQ on the server port and answers ACK 0 (features 3) from the transfer port, as kdumpd does.</summary>
    private async Task<EndPoint> AcceptWriteRequestAsync(CancellationToken cancellationToken)
    {
        var mac = await ReceiveAsync(_serverPort, cancellationToken);
        await _transferPort.SendToAsync(new byte[] { 3, 4, 0, 0, 0, 0 }, mac, cancellationToken);
        return mac;
    }

    /// <summary>Completes the 100-byte plan (DATA 1, EOF 2): ACKs DATA 1, receiving it first unless it already was.</summary>
    private async Task FinishAsync(EndPoint mac, bool dataAlreadyReceived, CancellationToken cancellationToken)
    {
        if (!dataAlreadyReceived)
        {
            Assert.Equal(1u, await ReceiveBlockAsync(cancellationToken));
        }

        await AckAsync(1, mac, cancellationToken);
        Assert.Equal(2u, await ReceiveBlockAsync(cancellationToken));
        await AckAsync(2, mac, cancellationToken);
    }

    /// <summary>ACKs each datagram's block from the transfer port until cancelled: a stop-and-wait server with no
    /// checks, on its own thread with blocking calls so that it answers as promptly as a real server.</summary>
    private Task AckEverythingAsync(EndPoint mac, CancellationToken cancellationToken) => Task.Factory.StartNew(
        () =>
        {
            var buffer = new byte[2048];
            byte[] ack = [0, 4, 0, 0, 0, 0];
            _transferPort.ReceiveTimeout = 50;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    _transferPort.Receive(buffer);
                    _dataStarted = true;
                    buffer.AsSpan(2, 4).CopyTo(ack.AsSpan(2));
                    _transferPort.SendTo(ack, mac);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                }
            }
        },
        CancellationToken.None,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default);

    /// <summary>Answers a further WRQ with ACK 0 again from the transfer port until the first DATA, as the relay does when
    /// ACK 0 was lost. Not after: the kernel would take that ACK 0 as the ACK of whatever it is sending (§11.1).</summary>
    private async Task AnswerWriteRequestRetransmissionsAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var from = (await _serverPort.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken)).RemoteEndPoint;
                if (!_dataStarted)
                {
                    await _transferPort.SendToAsync(new byte[] { 3, 4, 0, 0, 0, 0 }, from, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task<int> AckAsync(uint block, EndPoint mac, CancellationToken cancellationToken) =>
        _transferPort.SendToAsync(new byte[] { 0, 4, (byte)(block >> 24), (byte)(block >> 16), (byte)(block >> 8), (byte)block }, mac, cancellationToken).AsTask();

    private async Task<uint> ReceiveBlockAsync(CancellationToken cancellationToken)
    {
        await _transferPort.ReceiveFromAsync(_buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
        return (uint)((_buffer[2] << 24) | (_buffer[3] << 16) | (_buffer[4] << 8) | _buffer[5]);
    }

    private async Task<EndPoint> ReceiveAsync(Socket socket, CancellationToken cancellationToken) =>
        (await socket.ReceiveFromAsync(_buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken)).RemoteEndPoint;

    private async Task<int> CountArrivalsAsync(Socket socket, Task until)
    {
        var count = 0;
        using var cancel = new CancellationTokenSource(Deadline);
        while (true)
        {
            var receive = socket.ReceiveFromAsync(_buffer, new IPEndPoint(IPAddress.Any, 0), cancel.Token).AsTask();
            if (await Task.WhenAny(receive, until) != receive)
            {
                // The sender is done, so all it sent is queued already: a loaded machine may still take a while to hand
                // it over, so wait long while the socket has datagrams, and a second for a receive already under way.
                var patience = socket.Available > 0 ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(1);
                if (await Task.WhenAny(receive, Task.Delay(patience, cancel.Token)) != receive)
                {
                    return count;
                }
            }

            await receive;
            count++;
        }
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
