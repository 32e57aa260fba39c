using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Relay.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Dashboard;

/// <summary>
/// The crash dashboard inside the relay: a small Kestrel application of its own (<see cref="DashboardHost"/>) on
/// <c>Dashboard:Url</c>, reading the embedded ingest's SQLite store and spool through the relay's own instances. A
/// dashboard that cannot listen (its port taken) is logged and left off: the relay goes on receiving panics.
/// </summary>
internal sealed partial class RelayDashboardService(
    IServiceProvider relay,
    IConfiguration configuration,
    IOptions<DashboardOptions> options,
    ILogger<RelayDashboardService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where it listens once started (the real port when <c>Dashboard:Url</c> has port 0); null when off.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.Url;
        var app = DashboardHost.Build(configuration, url, services =>
        {
            services.AddSingleton(relay.GetRequiredService<ILoggerFactory>());
            services.AddSingleton(relay.GetRequiredService<TimeProvider>());
            services.AddSingleton(relay.GetRequiredService<ICrashStore>());
            services.AddSingleton(relay.GetRequiredService<ICrashQueries>());
            services.AddSingleton(relay.GetRequiredService<IDumpReader>());
            services.AddSingleton<IRelayStateSource>(relay.GetRequiredService<RelayStateSource>());
        });
        if (await SideApplication.StartAsync(app, reason => LogCannotListen(logger, url, reason), cancellationToken).ConfigureAwait(false)
            is not { } started)
        {
            return;
        }

        (_app, Address) = started;
        LogListening(logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
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

    [LoggerMessage(800, LogLevel.Information, "Crash dashboard on {Address}")]
    private static partial void LogListening(ILogger logger, Uri address);

    [LoggerMessage(801, LogLevel.Error, "Crash dashboard off: cannot listen on {Url} ({Reason}); the relay goes on without it")]
    private static partial void LogCannotListen(ILogger logger, string url, string reason);
}
