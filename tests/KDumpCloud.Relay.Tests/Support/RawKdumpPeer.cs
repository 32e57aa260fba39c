using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>A bare UDP socket speaking kdump byte by byte, for protocol edge cases the sender never produces.</summary>
internal sealed class RawKdumpPeer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public RawKdumpPeer(IPEndPoint relay, string localAddress = "127.0.0.1")
    {
        Relay = relay;
        _socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
    }

    public IPEndPoint Relay { get; }

    /// <summary>The transfer's reply port, learned from ACK 0 as the kernel does.</summary>
    public IPEndPoint? TransferEndPoint { get; private set; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public static byte[] ModernWrq(string name) =>
        [0, 2, .. Encoding.UTF8.GetBytes(name), 0, .. "octet\0features\0"u8.ToArray(), 0, 0, 0, 3, 0, 0, 0x05, 0x7E];

    public static byte[] LegacyWrq(string name) =>
        [0, 2, .. Encoding.UTF8.GetBytes(name), 0, .. "octet\0"u8.ToArray(), 0xAA, 0xBB, 0xCC];

    public static byte[] Data(uint block, ReadOnlySpan<byte> payload) => [.. Header(3, block), .. payload];

    public static byte[] Eof(uint block) => Header(7, block);

    public static byte[] Seek32(uint block, uint offset)
    {
        var packet = Header(6, block, 4);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(6), offset);
        return packet;
    }

    private static byte[] Header(ushort opcode, uint block = 0, int extra = 0)
    {
        var header = new byte[6 + extra];
        BinaryPrimitives.WriteUInt16BigEndian(header, opcode);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), block);
        return header;
    }

    public void SendToRelay(byte[] datagram) => _socket.SendTo(datagram, Relay);

    public void SendTo(byte[] datagram, IPEndPoint destination) => _socket.SendTo(datagram, destination);

    public void SendToTransfer(byte[] datagram) =>
        _socket.SendTo(datagram, TransferEndPoint ?? throw new InvalidOperationException("no ACK 0 seen yet"));

    /// <summary>The next datagram, or null after <paramref name="timeoutMs"/>.</summary>
    public async Task<(byte[] Datagram, IPEndPoint From)?> ReceiveAsync(int timeoutMs = 3000)
    {
        var buffer = new byte[2048];
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return (buffer[..result.ReceivedBytes], (IPEndPoint)result.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Sends a WRQ and returns ACK 0's bytes, remembering the port it came from. Waits longer than for later
    /// datagrams: a relay just started on a loaded machine may take seconds to answer its first request.</summary>
    public async Task<byte[]> RequestAsync(byte[] wrq)
    {
        SendToRelay(wrq);
        var reply = await ReceiveAsync(timeoutMs: 15_000) ?? throw new TimeoutException("no reply to the WRQ within 15 s");
        TransferEndPoint = reply.From;
        return reply.Datagram;
    }

    /// <summary>Sends to the transfer and expects an ACK for <paramref name="block"/>. A retransmission of the previous
    /// block's ACK (the relay resends it after 2 s without a datagram, §11.2, which a loaded test machine can take
    /// between two exchanges) is passed over, as the kernel passes over an ACK for a block it is not waiting for.</summary>
    public async Task ExchangeAsync(byte[] datagram, uint block)
    {
        SendToTransfer(datagram);
        var previous = block == 0 ? null : Ack(block - 1);
        while (true)
        {
            var reply = await ReceiveAsync() ?? throw new TimeoutException($"no ACK for block {block}");
            if (previous is null || !reply.Datagram.AsSpan().SequenceEqual(previous))
            {
                Assert.Equal(Ack(block), reply.Datagram);
                return;
            }
        }
    }

    /// <summary>A whole modern transfer of <paramref name="content"/> in 1406-byte DATA.</summary>
    public async Task SendAllAsync(string name, byte[] content, int packetSize = 1406)
    {
        var ack0 = await RequestAsync(ModernWrq(name));
        Assert.True(ack0[1] == 0x04, $"expected ACK 0, got {Describe(ack0)}");
        uint block = 1;
        for (var offset = 0; offset < content.Length; offset += packetSize, block++)
        {
            await ExchangeAsync(Data(block, content.AsSpan(offset, Math.Min(packetSize, content.Length - offset))), block);
        }

        await ExchangeAsync(Eof(block), block);
    }

    /// <summary>A readable form of a reply, with an ERROR's text.</summary>
    public static string Describe(byte[] datagram) =>
        datagram.Length > 6 && datagram[1] == 5
            ? $"ERROR {datagram[3]}: {Encoding.ASCII.GetString(datagram.AsSpan(6)).TrimEnd('\0')}"
            : Convert.ToHexString(datagram);

    public static byte[] Ack(uint block) => Header(4, block);

    public void Dispose() => _socket.Dispose();
}
