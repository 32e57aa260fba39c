using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Queue;
using KDumpCloud.Ingest.Regrouping;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Hosting;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// The ingest core (<see cref="DumpIngestor"/>, <see cref="IngestQueueHandler"/> and <see cref="IngestOptions"/>,
    /// validated at start; its metrics, <see cref="IngestMetrics"/>, through the host's <c>IMeterFactory</c>) and, when
    /// <c>KDumpStorage</c> is configured, its Azure adapters: <see cref="TableCrashStore"/> (and <see cref="TableCrashQueries"/>
    /// over the same tables, for the dashboard) and
    /// <see cref="BlobDumpReader"/> (<see cref="AzureIngestOptions"/>, section <c>Ingest:Azure</c>). When
    /// <c>ServiceBus</c> is configured, <see cref="ServiceBusReportPublisher"/> too; without it no report is sent.
    /// With <c>KDumpStorage</c> and <c>Alerts:Webhooks</c> configured, the alert services
    /// (<see cref="AlertServiceCollectionExtensions.AddKDumpAlerts"/>) and <see cref="TableAlertOutbox"/> (table
    /// <c>Ingest:Azure:AlertsTable</c>), which the table store records each decision to alert in.
    /// Without <c>KDumpStorage</c> the host registers its own <see cref="ICrashStore"/> and <see cref="IDumpReader"/>
    /// (the embedded relay: SQLite and spool files).
    /// </summary>
    public static IServiceCollection AddKDumpIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, GroupingRulesFileValidator>());
        services.AddMetrics();
        services.TryAddSingleton<IngestMetrics>();
        services.TryAddSingleton<DumpIngestor>();
        services.TryAddSingleton<IngestQueueHandler>();
        services.TryAddSingleton<Regrouper>();

        var storage = KDumpStorageOptions.IsConfigured(configuration);
        var serviceBus = ServiceBusConnectionOptions.IsConfigured(configuration);
        if (storage || serviceBus)
        {
            services.AddOptions<AzureIngestOptions>().Bind(configuration.GetSection(AzureIngestOptions.SectionName)).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureIngestOptions>, AzureIngestOptionsValidator>());
        }

        if (storage)
        {
            AddStorage(services, configuration);
        }

        if (serviceBus)
        {
            AddServiceBus(services, configuration);
        }

        return services;
    }

    private static void AddStorage(IServiceCollection services, IConfiguration configuration)
    {
        services.AddKDumpStorageOptions(configuration, StorageServices.Blob | StorageServices.Table);
        services.AddAzureClients(clients =>
        {
            // One credential, used only in the identity-based form: never a key in a file.
            clients.UseCredential(provider => provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value.CreateCredential());
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, provider) =>
                provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value.CreateBlobServiceClient(credential, options));
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, provider) =>
                provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value.CreateTableServiceClient(credential, options));
        });
        services.AddSingleton<ICrashStore>(provider =>
        {
            var tables = provider.GetRequiredService<TableServiceClient>();
            var options = provider.GetRequiredService<IOptions<AzureIngestOptions>>().Value;
            return new TableCrashStore(tables.GetTableClient(options.GroupsTable), tables.GetTableClient(options.OccurrencesTable),
                provider.GetRequiredService<TimeProvider>(), provider.GetService<TableAlertOutbox>());
        });
        services.AddSingleton<ICrashQueries>(provider =>
        {
            var tables = provider.GetRequiredService<TableServiceClient>();
            var options = provider.GetRequiredService<IOptions<AzureIngestOptions>>().Value;
            return new TableCrashQueries(tables.GetTableClient(options.GroupsTable), tables.GetTableClient(options.OccurrencesTable));
        });
        if (AlertServiceCollectionExtensions.AlertsConfigured(configuration))
        {
            // The decision to alert is recorded with each occurrence; the host runs the dispatcher.
            services.AddKDumpAlerts(configuration);
            services.AddSingleton(provider =>
            {
                var tables = provider.GetRequiredService<TableServiceClient>();
                var options = provider.GetRequiredService<IOptions<AzureIngestOptions>>().Value;
                return new TableAlertOutbox(tables.GetTableClient(options.AlertsTable), tables.GetTableClient(options.OccurrencesTable),
                    provider.GetRequiredService<IOptions<Alerts.AlertOptions>>().Value);
            });
            services.AddSingleton<IAlertOutbox>(provider => provider.GetRequiredService<TableAlertOutbox>());
        }
        services.AddSingleton<IDumpReader>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AzureIngestOptions>>().Value;
            return new BlobDumpReader(provider.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.DumpContainer));
        });
    }

    private static void AddServiceBus(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServiceBusConnectionOptions>().Configure(options => ServiceBusConnectionOptions.Bind(configuration, options)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceBusConnectionOptions>, ServiceBusConnectionOptionsValidator>());

        // ServiceBusClientOptions is not an Azure.Core ClientOptions, so the client is registered here rather than
        // through AddAzureClients; the container disposes it (and its connection) with the host.
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ServiceBusConnectionOptions>>().Value;
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new ServiceBusClient(options.FullyQualifiedNamespace, Credential(options.ClientId))
                : new ServiceBusClient(options.ConnectionString);
        });
        services.AddSingleton<IReportPublisher>(provider =>
        {
            var topic = provider.GetRequiredService<IOptions<AzureIngestOptions>>().Value.ReportTopic;
            return new ServiceBusReportPublisher(provider.GetRequiredService<ServiceBusClient>().CreateSender(topic));
        });
    }

    private static TokenCredential Credential(string? clientId) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
}
