using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// The operations endpoint as a small web application of its own on Kestrel (the relay is a generic-host worker):
/// <c>/health/live</c> (the process answers; no check runs), <c>/health/ready</c> (every check; 503 when a check
/// readiness requires is unhealthy, 200 otherwise, degraded included) and, given a meter provider with a Prometheus
/// exporter, <c>/metrics</c>. The checks and the meter provider are the relay's own instances, passed in.
/// </summary>
internal static class OperationsHost
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    /// <summary>Builds (does not start) the endpoint on <paramref name="url"/>.</summary>
    public static WebApplication Build(string url, HealthCheckService checks, ILoggerFactory relayLogging, MeterProvider? prometheus)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OperationsHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls(url);

        // The relay's log, without a line per request: probes and scrapes come every few seconds.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(relayLogging));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Services.AddSingleton(checks);
        var app = builder.Build();

        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthJson.WriteLivenessAsync,
        });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            ResponseWriter = HealthJson.WriteReadinessAsync,
        });
        if (prometheus is not null)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath, prometheus, configureBranchedPipeline: null, optionsName: null);
        }

        return app;
    }

    /// <summary>Hands the endpoint's log lines to the relay's logging (its console, its OpenTelemetry exporter).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory relay) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => relay.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
