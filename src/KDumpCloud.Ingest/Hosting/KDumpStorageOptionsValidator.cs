using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Hosting;

/// <summary>
/// Checks <c>KDumpStorage</c> at start for a host that uses <paramref name="required"/>: a connection string each of
/// those services' SDK can parse, or an absolute https (or http, for an emulator) URI for each of them, and any other
/// service URI that is set. Nothing is contacted, so an unreachable account does not stop a host. Messages never quote
/// a connection string (it may hold a key).
/// </summary>
public sealed class KDumpStorageOptionsValidator(StorageServices required) : IValidateOptions<KDumpStorageOptions>
{
    private static readonly StorageServices[] Services = [StorageServices.Blob, StorageServices.Queue, StorageServices.Table];

    /// <summary>The services this host needs.</summary>
    public StorageServices Required { get; } = required == StorageServices.None
        ? throw new ArgumentOutOfRangeException(nameof(required), "A host that reads KDumpStorage uses at least one of its services.")
        : required;

    public ValidateOptionsResult Validate(string? name, KDumpStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            CheckConnectionString(options.ConnectionString, failures);
        }
        else
        {
            var hint = "set KDumpStorage to a connection string, or " +
                string.Join(" and ", Services.Where(service => Required.HasFlag(service)).Select(Key)) + ".";
            foreach (var service in Services)
            {
                CheckUri(UriOf(options, service), service, Required.HasFlag(service), hint, failures);
            }
        }

        if (options.Credential is { } credential
            && !string.Equals(credential, KDumpStorageOptions.ManagedIdentity, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"KDumpStorage:credential '{credential}' is not supported: set {KDumpStorageOptions.ManagedIdentity} " +
                "(the managed identity only, as the Functions host reads it), or leave it out for DefaultAzureCredential.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void CheckConnectionString(string connectionString, List<string> failures)
    {
        foreach (var service in Services.Where(service => Required.HasFlag(service)))
        {
            Uri? endpoint;
            try
            {
                endpoint = service switch
                {
                    StorageServices.Blob => new BlobServiceClient(connectionString).Uri,
                    StorageServices.Queue => new QueueServiceClient(connectionString).Uri,
                    _ => new TableServiceClient(connectionString).Uri,
                };
            }
            catch (NullReferenceException)
            {
                // A string of explicit endpoints without this one: the blob SDK dereferences the missing endpoint in
                // its constructor, where the queue and table SDKs leave the client's Uri null (below).
                endpoint = null;
            }
            catch (Exception error) when (error is FormatException or ArgumentException or InvalidOperationException)
            {
                // The SDK's message may quote the string, and with it an account key: say only what is wrong.
                failures.Add($"KDumpStorage is not a usable storage connection string ({error.GetType().Name}); " +
                    "expected e.g. UseDevelopmentStorage=true or DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...");
                return;
            }

            // A string of explicit endpoints (a SAS for some services) parses without the others, whose client would
            // fail only at its first call.
            if (endpoint is null)
            {
                var serviceName = service.ToString();
                failures.Add($"KDumpStorage is a connection string without a {serviceName.ToLowerInvariant()} endpoint, which this " +
                    $"host needs: add {serviceName}Endpoint=https://account.{serviceName.ToLowerInvariant()}.core.windows.net/ to it.");
            }
        }
    }

    private static void CheckUri(string? value, StorageServices service, bool required, string hint, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                failures.Add($"{Key(service)} is missing: {hint}");
            }
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{Key(service)} '{value}' is not an absolute https URI such as " +
                $"https://account.{service.ToString().ToLowerInvariant()}.core.windows.net.");
        }
    }

    private static string? UriOf(KDumpStorageOptions options, StorageServices service) => service switch
    {
        StorageServices.Blob => options.BlobServiceUri,
        StorageServices.Queue => options.QueueServiceUri,
        _ => options.TableServiceUri,
    };

    private static string Key(StorageServices service) => $"KDumpStorage:{service.ToString().ToLowerInvariant()}ServiceUri";
}
