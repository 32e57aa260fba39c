using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Ingest.Tests.Alerts;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, port 0) standing in for Slack, Teams, Discord and JSON receivers: it
/// records every request (path, headers, body) and answers each path from a script (429 with Retry-After, 500, 400,
/// a held or slow answer), then with 200.
/// </summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Answer>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Answer> _defaults = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private WebhookServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new WebhookServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public string Url(string path) => new Uri(BaseAddress, path).AbsoluteUri;

    /// <summary>The next requests to <paramref name="path"/> get these answers, in order; then the default.</summary>
    public void Script(string path, params Answer[] answers)
    {
        var queue = _scripts.GetOrAdd(path, _ => new ConcurrentQueue<Answer>());
        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }
    }

    /// <summary>What <paramref name="path"/> answers once its script is used up (200 unless set).</summary>
    public void Default(string path, Answer answer) => _defaults[path] = answer;

    public IReadOnlyList<RecordedRequest> Requests(string? path = null) => [.. _requests.Where(r => path is null || r.Path == path)];

    /// <summary>Waits (generously) until <paramref name="path"/> has had <paramref name="count"/> requests.</summary>
    public async Task WaitForAsync(string path, int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (Requests(path).Count < count)
        {
            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue(new RecordedRequest(path, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(), DateTimeOffset.UtcNow));
        _arrived.Release();
        var answer = _scripts.TryGetValue(path, out var queue) && queue.TryDequeue(out var next) ? next : _defaults.GetValueOrDefault(path, Answer.Ok);
        await answer.WriteAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public System.Text.Json.JsonDocument Json() => System.Text.Json.JsonDocument.Parse(Body);
}

/// <summary>One scripted answer.</summary>
internal sealed record Answer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default,
    Task? HoldUntil = null)
{
    public static Answer Ok { get; } = new(200, "ok");

    public static Answer Status429(string retryAfter) => new(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    public static Answer Discord429(double seconds) =>
        new(429, $$"""{"message":"You are being rate limited.","retry_after":{{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"global":false}""",
            new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-RateLimit-Remaining"] = "0" });

    public async Task WriteAsync(HttpContext context)
    {
        if (HoldUntil is not null)
        {
            await HoldUntil.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = Status;
        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (Body is not null)
        {
            await context.Response.WriteAsync(Body, context.RequestAborted);
        }
    }
}
