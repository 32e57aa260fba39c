using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Delivery;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Hosting;

public static class AlertServiceCollectionExtensions
{
    /// <summary>The dashboard's public address, read for alert links.</summary>
    public const string DashboardUrlKey = "Dashboard:PublicUrl";

    /// <summary>Whether any webhook is configured (<c>Alerts:Webhooks:0:…</c>): only then is anything recorded for
    /// alerts or sent.</summary>
    public static bool AlertsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(AlertOptions.SectionName).GetSection(nameof(AlertOptions.Webhooks)).GetChildren().Any();
    }

    /// <summary>
    /// The alert options (section <c>Alerts</c>, plus <c>Dashboard:PublicUrl</c>; validated at start), the webhook
    /// client (<see cref="WebhookSender.HttpClientName"/>), <see cref="WebhookSender"/> and
    /// <see cref="AlertDispatcher"/>. The host adds its outbox (<see cref="Ports.IAlertOutbox"/>) and what runs the
    /// dispatcher.
    /// </summary>
    public static IServiceCollection AddKDumpAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AlertOptions>()
            .Bind(configuration.GetSection(AlertOptions.SectionName))
            .PostConfigure(options => options.DashboardUrl ??= configuration[DashboardUrlKey])
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsAnnotationsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });
        services.AddMetrics();
        services.TryAddSingleton<IngestMetrics>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<AlertDispatcher>();
        return services;
    }
}
