using Azure.Storage.Queues;
using KDumpCloud.Cli.Commands;
using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Configuration;

namespace KDumpCloud.Cli.Queue;

/// <summary>
/// The ingest queue and its poison queue from <c>KDumpStorage</c>, read as the Functions host reads its connection of
/// that name and through the same <see cref="KDumpStorageOptions"/> as the relay and the Function: a connection string,
/// or the identity-based <c>KDumpStorage:queueServiceUri</c> with its credential.
/// </summary>
internal static class IngestQueueConnection
{
    /// <summary>The Functions trigger's poison queue name: <c>&lt;queue&gt;-poison</c>.</summary>
    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    /// <summary>The clients, or why there are none. Messages are read raw (no decoding by the SDK): the worker decodes
    /// the relay's base64 itself, so a message that is not base64 is recorded instead of breaking every receive.</summary>
    public static (QueueClient? Queue, QueueClient? Poison, string? Problem) Create(IConfiguration configuration, string queueName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = new KDumpStorageOptions();
        KDumpStorageOptions.Bind(configuration, storage);
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        try
        {
            if (string.IsNullOrWhiteSpace(storage.ConnectionString) && string.IsNullOrWhiteSpace(storage.QueueServiceUri))
            {
                return (null, null,
                    $"{CrashStoreFactory.StorageKey} is in its identity-based form but has no queueServiceUri: set " +
                    $"{CrashStoreFactory.StorageKey}__queueServiceUri (e.g. https://ACCOUNT.queue.core.windows.net) for the ingest queue");
            }

            var service = storage.CreateQueueServiceClient(storage.CreateCredential(), options);
            return (service.GetQueueClient(queueName), service.GetQueueClient(PoisonQueueName(queueName)), null);
        }
        catch (Exception error) when (error is FormatException or ArgumentException or InvalidOperationException)
        {
            // Never quote the connection string: it may hold a key.
            return (null, null, $"{CrashStoreFactory.StorageKey} does not name a usable queue service ({error.GetType().Name}: queue '{queueName}')");
        }
    }
}
