using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>
/// A webhook receiver on 127.0.0.1 (a real <see cref="HttpListener"/> on a free port): it keeps every request's body
/// and answers with the statuses it was given, in turn, then 200.
/// </summary>
internal sealed class LoopbackWebhook : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<HttpStatusCode> _answers;
    private readonly ConcurrentQueue<string> _delivered = new();
    private readonly Task _serving;
    private int _requests;

    private LoopbackWebhook(string url, HttpStatusCode[] answers)
    {
        Url = url;
        _answers = new Queue<HttpStatusCode>(answers);
        _listener.Prefixes.Add(url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Requests received, whatever they were answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Bodies of the requests answered 200, in arrival order.</summary>
    public IReadOnlyList<string> Delivered => [.. _delivered];

    /// <param name="answers">Statuses for the first requests, in order; later ones get 200.</param>
    public static LoopbackWebhook Start(params HttpStatusCode[] answers)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        return new LoopbackWebhook($"http://127.0.0.1:{port}/hook/", answers);
    }

    /// <summary>Waits (up to 60 s) until <paramref name="count"/> requests were answered 200.</summary>
    public async Task WaitForDeliveredAsync(int count)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (_delivered.Count < count)
        {
            Assert.True(Environment.TickCount64 < deadline, $"{_delivered.Count} of {count} webhook requests within 60 s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            string body;
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                body = await reader.ReadToEndAsync();
            }

            Interlocked.Increment(ref _requests);
            HttpStatusCode status;
            lock (_answers)
            {
                status = _answers.Count > 0 ? _answers.Dequeue() : HttpStatusCode.OK;
            }

            if (status == HttpStatusCode.OK)
            {
                _delivered.Enqueue(body);
            }

            context.Response.StatusCode = (int)status;
            context.Response.Close();
        }
    }
}
