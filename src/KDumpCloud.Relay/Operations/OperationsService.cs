using System.Net;
using KDumpCloud.Relay.Hosting;
using KDumpCloud.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// Runs <see cref="OperationsHost"/> on <c>Operations:Url</c>. It starts before every other hosted service
/// (<see cref="IHostedLifecycleService.StartingAsync"/>), so liveness answers and readiness says what it waits for while
/// the spool is recovered. An endpoint that cannot listen is logged and left off: the relay goes on receiving panics.
/// </summary>
internal sealed partial class OperationsService(
    IServiceProvider relay,
    IOptions<OperationsOptions> options,
    IOptions<TelemetryOptions> telemetry,
    ILogger<OperationsService> logger) : IHostedLifecycleService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where it listens once started (the real port when <c>Operations:Url</c> has port 0); null when off.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Whether <c>/metrics</c> is served.</summary>
    public bool ServesMetrics { get; private set; }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.Url;
        var prometheus = telemetry.Value.Prometheus ? relay.GetService<MeterProvider>() : null;
        var app = OperationsHost.Build(url, relay.GetRequiredService<HealthCheckService>(), relay.GetRequiredService<ILoggerFactory>(), prometheus);
        if (await SideApplication.StartAsync(app, reason => LogCannotListen(logger, url, reason), cancellationToken).ConfigureAwait(false)
            is not { } started)
        {
            return;
        }

        (_app, Address) = started;
        ServesMetrics = prometheus is not null;
        LogListening(logger, Address, ServesMetrics ? ", " + OperationsHost.MetricsPath : "");
        if (!IsLoopback(Address))
        {
            LogExposed(logger, Address);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stopped last, so an orchestrator sees readiness fail while the relay stops.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    [LoggerMessage(903, LogLevel.Information, "Operations endpoint on {Address}: /health/live, /health/ready{Metrics}")]
    private static partial void LogListening(ILogger logger, Uri address, string metrics);

    [LoggerMessage(904, LogLevel.Error, "Operations endpoint off: cannot listen on {Url} ({Reason}); the relay goes on without it")]
    private static partial void LogCannotListen(ILogger logger, string url, string reason);

    [LoggerMessage(905, LogLevel.Warning, "Operations endpoint {Address} is reachable from other machines: anyone who can reach it reads the relay's health and metrics")]
    private static partial void LogExposed(ILogger logger, Uri address);
}
