namespace KDumpCloud.Relay.Upload;

/// <summary>
/// The storage account dumps go to, from the <c>KDumpStorage</c> key, the same key and shape the Functions host
/// reads. Either a connection string as the key's value (<c>KDumpStorage=UseDevelopmentStorage=true</c>, Azurite, or
/// an account key where a lab has nothing better), or the identity-based section <c>KDumpStorage:blobServiceUri</c>
/// and <c>KDumpStorage:queueServiceUri</c>, authenticated with <c>DefaultAzureCredential</c> (a service principal's
/// certificate from <c>AZURE_*</c> environment variables, or an Arc-enabled server's managed identity;
/// <c>KDumpStorage:clientId</c> picks a user-assigned identity).
/// </summary>
public sealed class KDumpStorageOptions
{
    public const string SectionName = "KDumpStorage";

    /// <summary>The storage connection string; null in the identity-based form.</summary>
    /// <value>None.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service, e.g. <c>https://account.blob.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form.</value>
    public string? BlobServiceUri { get; set; }

    /// <summary>The queue service, e.g. <c>https://account.queue.core.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form.</value>
    public string? QueueServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity.</summary>
    /// <value>None: the system-assigned identity, or whatever <c>DefaultAzureCredential</c> finds.</value>
    public string? ClientId { get; set; }

    /// <summary>Whether <c>KDumpStorage</c> is set at all, in either form: uploading is on only then.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        return !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any();
    }

    /// <summary>Reads both forms: the key's own value is a connection string, its children the identity-based form.</summary>
    public static void Bind(IConfiguration configuration, KDumpStorageOptions options)
    {
        var section = configuration.GetSection(SectionName);
        options.ConnectionString = string.IsNullOrWhiteSpace(section.Value) ? section["connectionString"] : section.Value;
        options.BlobServiceUri = section["blobServiceUri"];
        options.QueueServiceUri = section["queueServiceUri"];
        options.ClientId = section["clientId"];
    }
}
