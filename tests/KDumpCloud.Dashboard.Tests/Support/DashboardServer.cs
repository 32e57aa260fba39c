using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Ingest.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Dashboard.Tests.Support;

/// <summary>The dashboard on real Kestrel at <c>http://127.0.0.1:0</c> over a <see cref="LabStore"/>, as the relay
/// hosts it (<see cref="DashboardHost"/>).</summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, LabStore lab)
    {
        _app = app;
        Lab = lab;
        Address = DashboardHost.Address(app);
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public LabStore Lab { get; }

    public Uri Address { get; }

    /// <summary>A client that does not follow redirects (tests look at them).</summary>
    public HttpClient Http { get; }

    /// <summary>Starts the dashboard over <paramref name="lab"/> with <paramref name="settings"/> and, from
    /// <paramref name="services"/>, more services (an <c>IRelayStateSource</c>, as a relay registers one).</summary>
    public static async Task<DashboardServer> StartAsync(LabStore lab, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var app = DashboardHost.Build(configuration, "http://127.0.0.1:0", registrations =>
        {
            registrations.AddSingleton<ICrashStore>(lab.Store);
            registrations.AddSingleton<ICrashQueries>(lab.Queries);
            registrations.AddSingleton<IDumpReader>(lab.Reader);
            services?.Invoke(registrations);
        });
        await app.StartAsync();
        return new DashboardServer(app, lab);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
