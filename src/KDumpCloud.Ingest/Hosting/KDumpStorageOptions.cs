using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace KDumpCloud.Ingest.Hosting;

/// <summary>
/// The storage account behind the <c>KDumpStorage</c> key, one shape for every host that reads it: the relay (dumps
/// to blobs, messages to the queue), the ingest (dumps from blobs, crash groups in tables) and the Functions host's
/// connection of the same name. Either a connection string as the key's value
/// (<c>KDumpStorage=UseDevelopmentStorage=true</c>, Azurite, or an account key where a lab has nothing better), or
/// the identity-based section <c>KDumpStorage:blobServiceUri</c>, <c>:queueServiceUri</c>, <c>:tableServiceUri</c>
/// (which of them a host needs, <see cref="KDumpStorageOptionsValidator"/> says), authenticated with
/// <see cref="CreateCredential"/>; <c>KDumpStorage:clientId</c> picks a user-assigned managed identity.
/// </summary>
public sealed class KDumpStorageOptions
{
    public const string SectionName = "KDumpStorage";

    /// <summary>The one value of <see cref="Credential"/> there is, as the Functions host spells it.</summary>
    public const string ManagedIdentity = "managedidentity";

    /// <summary>The storage connection string; null in the identity-based form.</summary>
    /// <value>None.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service, e.g. <c>https://account.blob.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form.</value>
    public string? BlobServiceUri { get; set; }

    /// <summary>The queue service, e.g. <c>https://account.queue.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form where the host sends or reads messages (the relay).</value>
    public string? QueueServiceUri { get; set; }

    /// <summary>The table service, e.g. <c>https://account.table.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form where the host keeps crash groups (the ingest).</value>
    public string? TableServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity.</summary>
    /// <value>None: the system-assigned identity, or whatever <c>DefaultAzureCredential</c> finds.</value>
    public string? ClientId { get; set; }

    /// <summary><c>managedidentity</c> to use only the managed identity, as the Functions host does with the same
    /// setting; anything else is refused at start.</summary>
    /// <value>None: <c>DefaultAzureCredential</c> (a service principal from <c>AZURE_*</c> variables, an Arc-enabled
    /// server's or Azure's managed identity, a developer's sign-in).</value>
    public string? Credential { get; set; }

    /// <summary>Whether <c>KDumpStorage</c> is set at all, in either form: the storage adapters are registered only
    /// then.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any();
    }

    /// <summary>Reads both forms: the key's own value is a connection string, its children the identity-based form.</summary>
    public static void Bind(IConfiguration configuration, KDumpStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(SectionName);
        options.ConnectionString = string.IsNullOrWhiteSpace(section.Value) ? section["connectionString"] : section.Value;
        options.BlobServiceUri = section["blobServiceUri"];
        options.QueueServiceUri = section["queueServiceUri"];
        options.TableServiceUri = section["tableServiceUri"];
        options.ClientId = section["clientId"];
        options.Credential = section["credential"];
    }

    /// <summary>The credential of the identity-based form (never a key in a file); unused with a connection string.</summary>
    public TokenCredential CreateCredential() =>
        string.Equals(Credential, ManagedIdentity, StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrWhiteSpace(ClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(ClientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });

    /// <summary>The Blob service client of either form: the connection string, or <see cref="BlobServiceUri"/> with
    /// <paramref name="credential"/>. The relay, the Function and the CLI build their clients only here.</summary>
    public BlobServiceClient CreateBlobServiceClient(TokenCredential credential, BlobClientOptions options) =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? new BlobServiceClient(new Uri(BlobServiceUri!), credential, options)
            : new BlobServiceClient(ConnectionString, options);

    /// <summary>The Queue service client of either form (see <see cref="CreateBlobServiceClient"/>).</summary>
    public QueueServiceClient CreateQueueServiceClient(TokenCredential credential, QueueClientOptions options) =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? new QueueServiceClient(new Uri(QueueServiceUri!), credential, options)
            : new QueueServiceClient(ConnectionString, options);

    /// <summary>The Table service client of either form (see <see cref="CreateBlobServiceClient"/>).</summary>
    public TableServiceClient CreateTableServiceClient(TokenCredential credential, TableClientOptions options) =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? new TableServiceClient(new Uri(TableServiceUri!), credential, options)
            : new TableServiceClient(ConnectionString, options);
}
