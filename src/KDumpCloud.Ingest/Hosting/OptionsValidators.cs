using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Processing;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Hosting;

/// <summary>The DataAnnotations checks of <see cref="IngestOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>;

/// <summary>The DataAnnotations checks of <see cref="AzureIngestOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class AzureIngestOptionsValidator : IValidateOptions<AzureIngestOptions>;

/// <summary>Checks <c>KDumpStorage</c> at start: a connection string the storage SDKs can parse, or absolute https (or
/// http, for an emulator) service URIs. Nothing is contacted. Messages never quote a connection string (it may hold a
/// key).</summary>
internal sealed class IngestStorageOptionsValidator : IValidateOptions<IngestStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new BlobServiceClient(options.ConnectionString);
                _ = new TableServiceClient(options.ConnectionString);
                return ValidateOptionsResult.Success;
            }
            catch (Exception error) when (error is FormatException or ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail(
                    $"KDumpStorage is not a usable storage connection string ({error.GetType().Name}); " +
                    "expected e.g. UseDevelopmentStorage=true or DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...");
            }
        }

        var failures = new List<string>();
        const string hint = "set KDumpStorage to a connection string, or KDumpStorage:blobServiceUri and KDumpStorage:tableServiceUri.";
        ServiceUris.Check(options.BlobServiceUri, "KDumpStorage:blobServiceUri", required: true, hint, failures);
        ServiceUris.Check(options.TableServiceUri, "KDumpStorage:tableServiceUri", required: true, hint, failures);
        ServiceUris.Check(options.QueueServiceUri, "KDumpStorage:queueServiceUri", required: false, hint, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <c>ServiceBus</c> at start: a parsable connection string, or a namespace host name.</summary>
internal sealed class ServiceBusConnectionOptionsValidator : IValidateOptions<ServiceBusConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusConnectionOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                var parsed = ServiceBusConnectionStringProperties.Parse(options.ConnectionString);
                return parsed.Endpoint is null
                    ? ValidateOptionsResult.Fail("ServiceBus is a connection string without an Endpoint; expected Endpoint=sb://name.servicebus.windows.net/;...")
                    : ValidateOptionsResult.Success;
            }
            catch (Exception error) when (error is FormatException or ArgumentException)
            {
                return ValidateOptionsResult.Fail(
                    $"ServiceBus is not a usable Service Bus connection string ({error.GetType().Name}); expected Endpoint=sb://name.servicebus.windows.net/;...");
            }
        }

        var host = options.FullyQualifiedNamespace;
        return string.IsNullOrWhiteSpace(host)
            ? ValidateOptionsResult.Fail("ServiceBus:fullyQualifiedNamespace is missing: set ServiceBus to a connection string, or ServiceBus:fullyQualifiedNamespace to name.servicebus.windows.net.")
            : Uri.CheckHostName(host) == UriHostNameType.Dns
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"ServiceBus:fullyQualifiedNamespace '{host}' is not a host name such as name.servicebus.windows.net.");
    }
}

internal static class ServiceUris
{
    public static void Check(string? value, string key, bool required, string hint, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                failures.Add($"{key} is missing: {hint}");
            }
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{key} '{value}' is not an absolute https URI such as https://account.table.core.windows.net.");
        }
    }
}
