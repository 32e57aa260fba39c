using KDumpCloud.Relay.Dashboard;
using KDumpCloud.Relay.Ingest;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Retention;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Transfers;
using KDumpCloud.Relay.Upload;
using KDumpCloud.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Hosting;

public static class RelayServiceCollectionExtensions
{
    /// <summary>The relay's name in traces and metrics (OpenTelemetry's <c>service.name</c>).</summary>
    public const string RelayServiceName = "kdumpcloud-relay";

    /// <summary>The relay's services: validated options, the spool (recovered at start), and the UDP listener.</summary>
    public static IServiceCollection AddKdumpRelay(this IServiceCollection services)
    {
        services.AddOptions<RelayOptions>()
            .BindConfiguration(RelayOptions.SectionName)
            .PostConfigure(options =>
            {
                if (options.AllowedNetworks.Count == 0)
                {
                    options.AllowedNetworks = [.. RelayOptions.DefaultAllowedNetworks];
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsAnnotationsValidator>();
        services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<RelayActivities>();
        services.TryAddSingleton<RelayMetrics>();
        services.AddSingleton<DumpSpool>();
        services.AddSingleton<TransferRegistry>();
        services.AddSingleton<KdumpListener>();

        // Order matters: the spool is made truthful before the first request is accepted.
        services.AddHostedService<SpoolRecovery>();
        services.AddHostedService(provider => provider.GetRequiredService<KdumpListener>());
        return services;
    }

    /// <summary>The relay's services; with <c>KDumpStorage</c> set in <paramref name="configuration"/>, the uploader and
    /// retention of uploaded dumps; without it, the embedded ingest (unless <c>EmbeddedIngest:Enabled</c> is false) and
    /// the crash dashboard over its store (unless <c>Dashboard:Enabled</c> is false).</summary>
    public static IServiceCollection AddKdumpRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKdumpRelay();
        services.AddDumpUploads(configuration);
        services.AddSpoolRetention(configuration);
        services.AddEmbeddedIngest(configuration);
        services.AddRelayDashboard(configuration);
        services.AddRelayOperations(configuration);
        services.AddKDumpTelemetry(configuration, RelayServiceName);
        return services;
    }
}
