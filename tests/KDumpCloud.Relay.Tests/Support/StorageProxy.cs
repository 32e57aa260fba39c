using System.Net;
using System.Net.Sockets;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one Azurite service, which a test can pause: a path to storage that hangs
/// without failing, as a stalled network or an overloaded account does. Point a connection string's
/// <c>BlobEndpoint</c> or <c>QueueEndpoint</c> at <see cref="Endpoint"/>.
/// </summary>
/// <remarks>
/// While paused, nothing more is forwarded on any connection, old or new: requests hang until the client gives up
/// or dies. <see cref="Resume"/> closes every connection that was held, without forwarding what it held, so a
/// request the client sent into the pause never reaches the service later (a killed relay's last request must not
/// arrive after its death), and new connections are forwarded again.
/// </remarks>
internal sealed class StorageProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly List<ProxiedConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private bool _paused;

    private StorageProxy(Uri service)
    {
        _target = new IPEndPoint(IPAddress.Parse(service.Host), service.Port);
        _path = service.AbsolutePath;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Starts forwarding to <paramref name="service"/> (e.g. <see cref="TestSupport.AzuriteServer.BlobEndpoint"/>).</summary>
    public static StorageProxy Start(Uri service) => new(service);

    /// <summary>The service's endpoint, through the proxy (same account path, the proxy's port).</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{_path}");

    /// <summary>Holds every connection: nothing more reaches the service.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            _paused = true;
            foreach (var connection in _connections)
            {
                connection.Held = true;
            }
        }
    }

    /// <summary>Closes the held connections, dropping what they hold, and forwards new ones again.</summary>
    public void Resume()
    {
        List<ProxiedConnection> held;
        lock (_gate)
        {
            _paused = false;
            held = _connections.Where(connection => connection.Held).ToList();
            _connections.RemoveAll(connection => connection.Held);
        }

        foreach (var connection in held)
        {
            connection.Close();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var service = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await service.ConnectAsync(_target, _stopping.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException)
            {
                // The service is down: the client sees its connection closed, as it would see a refusal.
                client.Dispose();
                service.Dispose();
                continue;
            }

            var connection = new ProxiedConnection(client, service);
            lock (_gate)
            {
                connection.Held = _paused;
                _connections.Add(connection);
            }

            connection.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        List<ProxiedConnection> all;
        lock (_gate)
        {
            all = [.. _connections];
            _connections.Clear();
        }

        foreach (var connection in all)
        {
            connection.Close();
        }

        _stopping.Dispose();
    }

    /// <summary>One client connection and its connection to the service, pumped both ways.</summary>
    private sealed class ProxiedConnection(Socket client, Socket service)
    {
        private readonly CancellationTokenSource _closed = new();
        private int _pumpsEnded;

        /// <summary>Set while paused: the pumps forward nothing more and wait to be closed.</summary>
        public volatile bool Held;

        public void Start()
        {
            _ = PumpAsync(client, service);
            _ = PumpAsync(service, client);
        }

        private async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var count = await from.ReceiveAsync(buffer, SocketFlags.None, _closed.Token);
                    if (Held)
                    {
                        // Keep everything; Resume or disposal closes the connection.
                        await Task.Delay(Timeout.Infinite, _closed.Token);
                    }

                    if (count == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        if (Interlocked.Increment(ref _pumpsEnded) == 2)
                        {
                            Close();
                        }

                        return;
                    }

                    await to.SendAsync(buffer.AsMemory(0, count), SocketFlags.None, _closed.Token);
                }
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                Close();
            }
        }

        public void Close()
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            client.Dispose();
            service.Dispose();
        }
    }
}
