using Azure.Messaging.ServiceBus;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Panics.Fingerprinting.Rules;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Hosting;

/// <summary>The DataAnnotations checks of <see cref="IngestOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>;

/// <summary>Checks at start that <see cref="IngestOptions.GroupingRulesFile"/>, when set, reads and parses.</summary>
public sealed class GroupingRulesFileValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        try
        {
            options.LoadGroupingRules();
            return ValidateOptionsResult.Success;
        }
        catch (Exception error) when (error is GroupingRulesException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"Ingest:GroupingRulesFile {options.GroupingRulesFile}: {error.Message}");
        }
    }
}

/// <summary>The DataAnnotations checks of <see cref="AzureIngestOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class AzureIngestOptionsValidator : IValidateOptions<AzureIngestOptions>;

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
