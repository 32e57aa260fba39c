using System.Net;
using System.Net.Sockets;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>A UDP socket bound to one emulated Mac's loopback address and port.</summary>
internal static class SourceSocket
{
    public static Socket Bind(IPEndPoint local)
    {
        if (!IPAddress.IsLoopback(local.Address))
        {
            throw new ArgumentException("The storm sends from 127.0.0.0/8 only.", nameof(local));
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(local);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
