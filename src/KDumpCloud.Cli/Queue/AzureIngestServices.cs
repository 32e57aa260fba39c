using Azure.Identity;
using KDumpCloud.Cli.Commands;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Queue;
using KDumpCloud.Ingest.Regrouping;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Cli.Queue;

/// <summary>
/// The ingest core with its Azure adapters exactly as the Function gets them (<c>AddKDumpIngest</c> over the
/// configuration), for <c>kdumpcloud ingest</c> (the queue worker) and <c>kdumpcloud crashes</c> (the Table store).
/// Settings are validated when it is built, so a bad one is reported before any work, naming its key.
/// </summary>
internal sealed class AzureIngestServices : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private AzureIngestServices(ServiceProvider services, IConfiguration configuration)
    {
        _services = services;
        Configuration = configuration;
    }

    public IConfiguration Configuration { get; }

    /// <summary>The Table store (<c>Ingest:Azure:GroupsTable</c> and <c>OccurrencesTable</c>).</summary>
    public ICrashStore Store => _services.GetRequiredService<ICrashStore>();

    /// <summary>What the Function's two triggers call: the message handler over the blob reader and Table store
    /// (and the Service Bus publisher when <c>ServiceBus</c> is set).</summary>
    public IngestQueueHandler Handler => _services.GetRequiredService<IngestQueueHandler>();

    /// <summary>The regrouping over the Table store, reading dumps from the dumps container when their text was not kept.</summary>
    public Regrouper Regrouper => _services.GetRequiredService<Regrouper>();

    /// <summary>Builds and validates the services; null with the reason when a setting is missing or wrong.</summary>
    public static (AzureIngestServices? Services, string? Problem) Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!KDumpStorageOptions.IsConfigured(configuration))
        {
            return (null, $"{CrashStoreFactory.StorageKey} is not set");
        }

        // The CLI prints its own line per dump; the core's log lines would repeat them.
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddKDumpIngest(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        var built = new AzureIngestServices(services, configuration);
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            _ = built.Store;
            _ = built.Handler;
            return (built, null);
        }
        catch (Exception error) when (error is OptionsValidationException or FormatException or ArgumentException
            or InvalidOperationException or CredentialUnavailableException)
        {
            services.Dispose();
            return (null, error is OptionsValidationException ? error.Message : $"the {CrashStoreFactory.StorageKey} settings are not usable: {error.Message}");
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
