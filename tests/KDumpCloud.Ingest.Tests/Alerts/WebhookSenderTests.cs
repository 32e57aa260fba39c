using System.Text;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Delivery;
using KDumpCloud.Ingest.Alerts.Formats;
using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Ingest.Tests.Alerts;

/// <summary>Delivery through the real HTTP client factory and Polly pipeline to a real server on loopback: what is
/// retried (429 with Retry-After or Discord's retry_after, 500, slow), what is not (400), and what is signed.</summary>
public sealed class WebhookSenderTests : IAsyncLifetime
{
    private WebhookServer _server = null!;

    public async Task InitializeAsync() => _server = await WebhookServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Ok_DeliveredInOneRequest()
    {
        var (sender, sink) = Sender("slack", "/ok");
        var result = await sender.SendAsync(sink, Body(sink), "id-1", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Single(_server.Requests("/ok"));
        Assert.Equal("application/json; charset=utf-8", _server.Requests("/ok")[0].Headers["Content-Type"]);
    }

    [Fact]
    public async Task TooManyRequestsWithRetryAfter_WaitsAndDelivers()
    {
        var (sender, sink) = Sender("slack", "/429");
        _server.Script("/429", Answer.Status429("1"));
        var result = await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var requests = _server.Requests("/429");
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.9), "the second request came before Retry-After");
    }

    [Fact]
    public async Task DiscordRetryAfterInTheBody_IsHonoured()
    {
        var (sender, sink) = Sender("discord", "/discord", o => o.RetryDelay = TimeSpan.FromSeconds(10));
        _server.Script("/discord", Answer.Discord429(0.3));
        var result = await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(2, _server.Requests("/discord").Count); // the 10 s backoff would have run past SendTimeout
    }

    [Fact]
    public async Task LongRetryAfter_PutsTheMessageOffWithoutWaiting()
    {
        var (sender, sink) = Sender("json", "/later");
        _server.Script("/later", Answer.Status429("3600"));
        var result = await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.RetryLater, result.Outcome);
        Assert.Equal(429, result.Status);
        Assert.Single(_server.Requests("/later"));
        Assert.InRange(result.RetryAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task ServerError_RetriedThenLeftForLater()
    {
        var (sender, sink) = Sender("teams", "/500");
        _server.Default("/500", new Answer(500, "boom"));
        var result = await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.RetryLater, result.Outcome);
        Assert.Equal(500, result.Status);
        Assert.Equal(3, _server.Requests("/500").Count); // MaxRetries 2
    }

    [Fact]
    public async Task BadRequest_RejectedAtOnceWithTheAnswerAndWithoutTheUrl()
    {
        var (sender, sink) = Sender("slack", "/400?token=secret-part");
        _server.Default("/400", new Answer(400, "invalid_blocks"));
        var result = await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Rejected, result.Outcome);
        Assert.Single(_server.Requests("/400"));
        Assert.Contains("invalid_blocks", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-part", result.Detail + sink.Display, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", sink.Display, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slow_TimesOutPerAttemptAndIsLeftForLater()
    {
        var (sender, sink) = Sender("slack", "/slow", o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetries = 1;
        });
        _server.Default("/slow", new Answer(200, "ok", Delay: TimeSpan.FromSeconds(20)));
        var result = await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None);
        Assert.Equal(DeliveryOutcome.RetryLater, result.Outcome);
        Assert.Equal(2, _server.Requests("/slow").Count);
    }

    [Fact]
    public async Task DeadPort_LeftForLaterAndTheCircuitOpens()
    {
        var port = FreePort();
        var (sender, sink) = Sender("slack", null, o => o.MaxRetries = 0, url: $"http://127.0.0.1:{port}/dead");
        var results = new List<DeliveryResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await sender.SendAsync(sink, Body(sink), "id", CancellationToken.None));
        }

        Assert.All(results, r => Assert.Equal(DeliveryOutcome.RetryLater, r.Outcome));
        Assert.Contains(results, r => r.Detail.Contains("circuit open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JsonWithSecret_SignedOverTimestampAndBody()
    {
        var (sender, sink) = Sender("json", "/signed", configure: null, secret: "s3cret");
        var body = Body(sink);
        await sender.SendAsync(sink, body, "dump.new", CancellationToken.None);
        var request = Assert.Single(_server.Requests("/signed"));
        Assert.Equal("dump.new", request.Headers[WebhookSignature.DeliveryHeader]);
        var timestamp = request.Headers[WebhookSignature.TimestampHeader];
        Assert.True(WebhookSignature.Verify(Encoding.UTF8.GetBytes("s3cret"), timestamp, request.Body, request.Headers[WebhookSignature.SignatureHeader]));
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes("other"), timestamp, request.Body, request.Headers[WebhookSignature.SignatureHeader]));
        Assert.Equal(body.Body, request.Body);
    }

    private (WebhookSender Sender, AlertSink Sink) Sender(string kind, string? path, Action<AlertOptions>? configure = null, string? secret = null,
        string? url = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Kind"] = kind,
            ["Alerts:Webhooks:0:Url"] = url ?? _server.Url(path!),
            ["Alerts:Webhooks:0:Secret"] = secret,
            ["Alerts:MaxRetries"] = "2",
            ["Alerts:RetryDelay"] = "00:00:00.050",
            ["Alerts:SendTimeout"] = "00:00:20",
            ["Alerts:BreakDuration"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddKDumpAlerts(configuration);
        if (configure is not null)
        {
            services.PostConfigure(configure);
        }

        var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertOptions>>().Value;
        return (provider.GetRequiredService<WebhookSender>(), new AlertSink(options.Webhooks[0]));
    }

    private static FormattedAlert Body(AlertSink sink) => sink.Format.Format(SampleAlert.Create(DateTimeOffset.UtcNow), null);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
