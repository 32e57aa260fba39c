using Microsoft.Extensions.Configuration;

namespace KDumpCloud.Ingest.Hosting;

/// <summary>
/// The storage account ingest reads dumps from and keeps crash groups in, from the <c>KDumpStorage</c> key: the same
/// key, shape and parsing rules as the relay's (and the Functions host's connection of that name). Either a connection
/// string as the key's value (<c>KDumpStorage=UseDevelopmentStorage=true</c>, Azurite, or an account key where a lab
/// has nothing better), or the identity-based section <c>KDumpStorage:blobServiceUri</c> and
/// <c>KDumpStorage:tableServiceUri</c> (and <c>queueServiceUri</c>, which the queue trigger and
/// <c>kdumpcloud ingest</c> read), authenticated with <c>DefaultAzureCredential</c>; <c>KDumpStorage:clientId</c> picks
/// a user-assigned managed identity.
/// </summary>
public sealed class IngestStorageOptions
{
    public const string SectionName = "KDumpStorage";

    /// <summary>The storage connection string; null in the identity-based form.</summary>
    /// <value>None.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service, e.g. <c>https://account.blob.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form.</value>
    public string? BlobServiceUri { get; set; }

    /// <summary>The queue service, e.g. <c>https://account.queue.core.windows.net</c>.</summary>
    /// <value>None; checked when set.</value>
    public string? QueueServiceUri { get; set; }

    /// <summary>The table service, e.g. <c>https://account.table.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form.</value>
    public string? TableServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity.</summary>
    /// <value>None: the system-assigned identity, or whatever <c>DefaultAzureCredential</c> finds.</value>
    public string? ClientId { get; set; }

    /// <summary>Whether <c>KDumpStorage</c> is set at all, in either form: the Azure adapters are registered only then.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any();
    }

    /// <summary>Reads both forms: the key's own value is a connection string, its children the identity-based form.</summary>
    public static void Bind(IConfiguration configuration, IngestStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(SectionName);
        options.ConnectionString = string.IsNullOrWhiteSpace(section.Value) ? section["connectionString"] : section.Value;
        options.BlobServiceUri = section["blobServiceUri"];
        options.QueueServiceUri = section["queueServiceUri"];
        options.TableServiceUri = section["tableServiceUri"];
        options.ClientId = section["clientId"];
    }
}
