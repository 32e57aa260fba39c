using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>
/// A TCP proxy on loopback between the relay and Azurite's blob endpoint that damages one byte of the body of the
/// first Put Block request (<c>PUT ...?comp=block</c>) and passes everything else through untouched. The request's
/// headers, its Content-MD5 and its signature stay as the SDK made them, so it is the storage service that finds the
/// damage and rejects the block. It reads requests as HTTP/1.1 framed by Content-Length, which is how the storage SDK
/// sends them over plain http; anything else fails the proxied connection (and so the test).
/// </summary>
internal sealed class CorruptingBlobProxy : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 << 10;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _corrupted;

    public CorruptingBlobProxy(Uri blobEndpoint)
    {
        _target = new IPEndPoint(IPAddress.Parse(blobEndpoint.Host), blobEndpoint.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The blob endpoint to give the relay: the proxy's port, Azurite's account path.</summary>
    public Uri BlobEndpoint(Uri azuriteBlobEndpoint) =>
        new UriBuilder(azuriteBlobEndpoint) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>The status line the service answered the damaged request with.</summary>
    public TaskCompletionSource<string> Rejection { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ProxyAsync(client));
            }
        }
    }

    private async Task ProxyAsync(Socket clientSocket)
    {
        using var client = new NetworkStream(clientSocket, ownsSocket: true);
        using var serverSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await serverSocket.ConnectAsync(_target, _stop.Token);
            using var server = new NetworkStream(serverSocket, ownsSocket: false);
            var captureNextStatus = new Flag();
            var requests = ForwardRequestsAsync(client, server, captureNextStatus);
            var responses = ForwardResponsesAsync(server, client, captureNextStatus);
            await Task.WhenAny(requests, responses);
            serverSocket.Shutdown(SocketShutdown.Both);
            clientSocket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // one side closed, or the proxy stops: the connection ends
        }
    }

    private async Task ForwardRequestsAsync(NetworkStream client, NetworkStream server, Flag captureNextStatus)
    {
        var buffer = new byte[MaxHeaderBytes];
        var filled = 0;
        while (true)
        {
            // Read one request's headers.
            int headerLength;
            while ((headerLength = buffer.AsSpan(0, filled).IndexOf(HeaderEnd)) < 0)
            {
                if (filled == buffer.Length)
                {
                    throw new IOException("request headers longer than the proxy reads");
                }

                var read = await client.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
            }

            headerLength += HeaderEnd.Length;
            var headers = Encoding.ASCII.GetString(buffer, 0, headerLength);
            var lines = headers.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            if (lines.Any(line => line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)))
            {
                throw new IOException("chunked request bodies are not proxied");
            }

            var contentLength = lines.Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                .Select(line => long.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                .FirstOrDefault();
            var query = requestLine[1].Split('?', 2) is [_, var parameters] ? parameters.Split('&') : [];
            var isPutBlock = requestLine[0] == "PUT" && query.Contains("comp=block", StringComparer.Ordinal);
            var corrupt = isPutBlock && contentLength > 0 && Interlocked.CompareExchange(ref _corrupted, 1, 0) == 0;
            if (corrupt)
            {
                captureNextStatus.Value = true;
            }

            await server.WriteAsync(buffer.AsMemory(0, headerLength), _stop.Token);
            Array.Copy(buffer, headerLength, buffer, 0, filled - headerLength);
            filled -= headerLength;

            // Forward its body, the first byte flipped when this is the request to damage.
            var remaining = contentLength;
            while (remaining > 0)
            {
                if (filled == 0)
                {
                    filled = await client.ReadAsync(buffer, _stop.Token);
                    if (filled == 0)
                    {
                        return;
                    }
                }

                var chunk = (int)Math.Min(filled, remaining);
                if (corrupt && remaining == contentLength)
                {
                    buffer[0] ^= 0xFF;
                }

                await server.WriteAsync(buffer.AsMemory(0, chunk), _stop.Token);
                Array.Copy(buffer, chunk, buffer, 0, filled - chunk);
                filled -= chunk;
                remaining -= chunk;
            }
        }
    }

    /// <summary>Passes responses through; the client sends its next request on a connection only after it has read
    /// the previous response, so the first bytes after a damaged request are its answer.</summary>
    private async Task ForwardResponsesAsync(NetworkStream server, NetworkStream client, Flag captureNextStatus)
    {
        var buffer = new byte[64 << 10];
        while (true)
        {
            var read = await server.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            if (captureNextStatus.Value)
            {
                captureNextStatus.Value = false;
                var text = Encoding.ASCII.GetString(buffer, 0, read);
                var end = text.IndexOf("\r\n", StringComparison.Ordinal);
                Rejection.TrySetResult(end < 0 ? text : text[..end]);
            }

            await client.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private sealed class Flag
    {
        public volatile bool Value;
    }
}
