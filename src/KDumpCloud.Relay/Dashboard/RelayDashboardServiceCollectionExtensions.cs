using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Relay.Ingest;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Dashboard;

public static class RelayDashboardServiceCollectionExtensions
{
    /// <summary>
    /// The crash dashboard on <c>Dashboard:Url</c> (default <c>http://127.0.0.1:8069</c>), when the relay keeps a crash
    /// store (its embedded ingest is on) and <c>Dashboard:Enabled</c> is not false. Call after
    /// <c>AddEmbeddedIngest</c>.
    /// </summary>
    public static IServiceCollection AddRelayDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        if (!EmbeddedIngestOptions.IsActive(configuration)
            || !configuration.GetSection(DashboardOptions.SectionName).GetValue(nameof(DashboardOptions.Enabled), true))
        {
            return services;
        }

        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, RelayDashboardOptionsValidator>();
        services.TryAddSingleton<ICrashQueries>(provider => new SqliteCrashQueries(provider.GetRequiredService<SqliteCrashStore>()));
        services.AddSingleton<RelayStateSource>();
        services.AddSingleton<RelayDashboardService>();
        services.AddHostedService(provider => provider.GetRequiredService<RelayDashboardService>());
        return services;
    }
}

/// <summary>The relay's dashboard address must be a plain http(s) URL Kestrel can listen on.</summary>
internal sealed class RelayDashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options) =>
        Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.AbsolutePath == "/"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Dashboard:Url must be an http or https URL with no path, like {DashboardOptions.DefaultUrl}; it is '{options.Url}'");
}
