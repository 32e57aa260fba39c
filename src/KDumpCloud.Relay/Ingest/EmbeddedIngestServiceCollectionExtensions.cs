using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Relay.Alerts;
using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Ingest;

public static class EmbeddedIngestServiceCollectionExtensions
{
    /// <summary>
    /// The in-process ingest (the core over the spool's files and <c>crashes.db</c> in the data directory), only when
    /// <see cref="EmbeddedIngestOptions.IsActive"/>: without <c>KDumpStorage</c> and not switched off. Call after the
    /// spool's services, so the spool is recovered before the ingest reads it.
    /// </summary>
    public static IServiceCollection AddEmbeddedIngest(this IServiceCollection services, IConfiguration configuration)
    {
        if (!EmbeddedIngestOptions.IsActive(configuration))
        {
            return services;
        }

        services.AddOptions<EmbeddedIngestOptions>().BindConfiguration(EmbeddedIngestOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmbeddedIngestOptions>, EmbeddedIngestOptionsValidator>();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, CoreIngestOptionsValidator>();
        services.AddSingleton<IValidateOptions<IngestOptions>, GroupingRulesFileValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(provider => new SqliteCrashStore(StorePath(provider), provider.GetRequiredService<TimeProvider>(),
            provider.GetService<SqliteAlertOutbox>()));
        if (AlertServiceCollectionExtensions.AlertsConfigured(configuration))
        {
            // The decision to alert commits with each recording; one loop per sink sends, woken by each recording.
            services.AddKDumpAlerts(configuration);
            services.AddSingleton(provider => new SqliteAlertOutbox(StorePath(provider), provider.GetRequiredService<IOptions<AlertOptions>>().Value));
            services.AddSingleton<IAlertOutbox>(provider =>
            {
                provider.GetRequiredService<SqliteCrashStore>(); // creates and migrates the file first
                return provider.GetRequiredService<SqliteAlertOutbox>();
            });
            services.AddSingleton<AlertSignal>();
            services.AddSingleton<IIngestObserver>(provider => provider.GetRequiredService<AlertSignal>());
            services.AddHostedService<AlertDispatchService>();
        }
        services.TryAddSingleton<ICrashStore>(provider => provider.GetRequiredService<SqliteCrashStore>());

        // Only files in the spool's dumps/ are ever opened, whatever a journal says.
        services.TryAddSingleton<IDumpReader>(provider => new FileDumpReader(provider.GetRequiredService<DumpSpool>().DumpsDirectory));
        services.AddSingleton<DumpIngestor>();
        services.AddHostedService<EmbeddedIngestService>();
        return services;
    }

    private static string StorePath(IServiceProvider provider) =>
        Path.Combine(Path.GetFullPath(provider.GetRequiredService<IOptions<RelayOptions>>().Value.DataDirectory), SqliteCrashStore.FileName);
}
