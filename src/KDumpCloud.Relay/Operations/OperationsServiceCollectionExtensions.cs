using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>Longest the storage probe may take before it counts as unreachable.</summary>
    internal static readonly TimeSpan StorageProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The relay's health: its checks (ready = listening, spool writable, spool recovered; with <c>KDumpStorage</c>,
    /// storage reachability and the upload circuit, reported but not required), <c>READY=1</c> to systemd only once
    /// ready, and the operations endpoint on <c>Operations:Url</c> (default <c>http://127.0.0.1:9464</c>) unless
    /// <c>Operations:Enabled</c> is false. Call after <c>AddKdumpRelay()</c> (the spool's recovery must come first) and
    /// after <c>AddSystemd</c> (its notifier is replaced).
    /// </summary>
    public static IServiceCollection AddRelayOperations(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<SpoolRecoveryMark>();
        services.AddHostedService(provider => provider.GetRequiredService<SpoolRecoveryMark>());

        string[] ready = [RelayHealth.ReadyTag];
        var checks = services.AddHealthChecks()
            .AddCheck<ListenerHealthCheck>(RelayHealth.Listener, tags: ready)
            .AddCheck<SpoolWritableHealthCheck>(RelayHealth.SpoolWritable, tags: ready)
            .AddCheck<SpoolRecoveryHealthCheck>(RelayHealth.SpoolRecovery, tags: ready);
        if (KDumpStorageOptions.IsConfigured(configuration))
        {
            // One instance, so its answer is reused between probes.
            services.AddSingleton<StorageHealthCheck>();
            checks.AddCheck<StorageHealthCheck>(RelayHealth.Storage, HealthStatus.Degraded, [], StorageProbeTimeout);
            checks.AddCheck<UploadsHealthCheck>(RelayHealth.Uploads, HealthStatus.Degraded, []);
        }

        services.AddSingleton<RelayHealth>();
        services.AddMetrics();
        services.AddSingleton<SystemdNotifications>();
        services.RemoveAll<ISystemdNotifier>();
        services.AddSingleton<ISystemdNotifier>(provider => provider.GetRequiredService<SystemdNotifications>());
        services.AddSingleton<ReadinessMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<ReadinessMonitor>());

        if (!configuration.GetSection(OperationsOptions.SectionName).GetValue(nameof(OperationsOptions.Enabled), true))
        {
            return services;
        }

        services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperationsOptions>, OperationsOptionsAnnotationsValidator>();
        services.AddSingleton<IValidateOptions<OperationsOptions>, OperationsOptionsValidator>();
        services.AddSingleton<OperationsService>();
        services.AddHostedService(provider => provider.GetRequiredService<OperationsService>());
        return services;
    }
}
