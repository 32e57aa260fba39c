using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Functions.Tests.Support;

/// <summary>The WebJobs shape of the Function's triggers: the same queues and connection as
/// <see cref="IngestFunctions"/>, calling the real class. The isolated worker cannot run here; the WebJobs SDK host's
/// Storage-queue listener is the same listener the Functions host runs for it.</summary>
public sealed class FunctionsUnderWebJobs(IngestFunctions functions)
{
    public Task IngestDump([QueueTrigger("dump-ingest", Connection = "KDumpStorage")] string message, CancellationToken cancellationToken) =>
        functions.IngestDumpAsync(message, cancellationToken);

    public Task RecordPoisonDump([QueueTrigger("dump-ingest-poison", Connection = "KDumpStorage")] string message, CancellationToken cancellationToken) =>
        functions.RecordPoisonDumpAsync(message, cancellationToken);

    /// <summary>Starts the WebJobs host listening with host.json's queue settings (a faster poll, so tests do not wait).</summary>
    public static async Task<IHost> StartAsync(string connectionString, IngestFunctions functions, CancellationToken cancellationToken)
    {
        var host = new HostBuilder()
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["KDumpStorage"] = connectionString,
            }))
            .ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues(queues =>
            {
                queues.MaxPollingInterval = TimeSpan.FromMilliseconds(200);
                queues.MaxDequeueCount = IngestFunctions.MaxDequeueCount;
                queues.MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64;
            }))
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .ConfigureServices(services =>
            {
                services.AddSingleton<IJobActivator>(new Activator(new FunctionsUnderWebJobs(functions)));
                services.AddSingleton<ITypeLocator>(new OnlyTypes(typeof(FunctionsUnderWebJobs)));
            })
            .Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private sealed class Activator(FunctionsUnderWebJobs functions) : IJobActivator
    {
        public T CreateInstance<T>() => functions is T instance ? instance : throw new InvalidOperationException($"no job of type {typeof(T)}");
    }

    /// <summary>Indexes only the given job classes, not every type in the loaded assemblies.</summary>
    private sealed class OnlyTypes(params Type[] types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }
}
