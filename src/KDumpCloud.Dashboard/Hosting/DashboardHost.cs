using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Dashboard.Hosting;

/// <summary>
/// The dashboard as a small web application of its own on Kestrel, for a host that is not itself a web host: the
/// relay (a generic-host worker) runs one beside its UDP listener, and tests and the benchmark run one on
/// <c>http://127.0.0.1:0</c>. The Azure app is a normal ASP.NET Core host and uses
/// <see cref="DashboardServiceCollectionExtensions.AddKDumpDashboard"/> directly.
/// </summary>
public static class DashboardHost
{
    /// <summary>Builds (does not start) the dashboard listening on <paramref name="url"/>, reading the store that
    /// <paramref name="services"/> registers (<c>ICrashStore</c>, <c>ICrashQueries</c>, optionally <c>IDumpReader</c>).
    /// Anti-forgery keys live in memory: after a restart a page left open must be reloaded before its form posts.</summary>
    public static WebApplication Build(IConfiguration configuration, string url, Action<IServiceCollection> services)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(services);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DashboardHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls(url);
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services(builder.Services);
        builder.Services.AddKDumpDashboard(configuration);
        var app = builder.Build();
        app.MapKDumpDashboard();
        return app;
    }

    /// <summary>The address a started dashboard listens on (with the real port when it was 0).</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new Uri(addresses.First());
    }
}
