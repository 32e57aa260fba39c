using System.Net.Sockets;
using System.Text;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>What systemd is for a <c>Type=notify</c> service: a Unix datagram socket whose path goes in
/// <c>NOTIFY_SOCKET</c>, receiving the service's <c>READY=1</c>, <c>STATUS=…</c> and <c>STOPPING=1</c>.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _directory;

    public NotifySocket()
    {
        // Short: a Unix socket path has room for 107 bytes.
        _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kdc-notify-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "notify");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>Every message received so far, in order.</summary>
    public List<string> Received { get; } = [];

    /// <summary>Receives until a message satisfies <paramref name="until"/>, and returns it; fails after the timeout
    /// with everything received.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> until, int timeoutMs = 30_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no such message from the relay; received:\n" + string.Join("\n---\n", Received));
            }

            var message = Encoding.UTF8.GetString(buffer, 0, length);
            Received.Add(message);
            if (until(message))
            {
                return message;
            }
        }
    }

    public static bool IsReady(string message) => message.Split('\n').Contains("READY=1");

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
