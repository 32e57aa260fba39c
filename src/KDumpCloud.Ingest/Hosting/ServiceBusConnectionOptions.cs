using Microsoft.Extensions.Configuration;

namespace KDumpCloud.Ingest.Hosting;

/// <summary>
/// The Service Bus namespace crash reports go to, from the <c>ServiceBus</c> key, in the same two forms as
/// <c>KDumpStorage</c>: a connection string as the key's value, or <c>ServiceBus:fullyQualifiedNamespace</c>
/// (<c>name.servicebus.windows.net</c>) with <c>DefaultAzureCredential</c> (<c>ServiceBus:clientId</c> for a
/// user-assigned identity). Optional: without it, reports are not sent.
/// </summary>
public sealed class ServiceBusConnectionOptions
{
    public const string SectionName = "ServiceBus";

    /// <summary>The Service Bus connection string; null in the identity-based form.</summary>
    /// <value>None.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The namespace's host name, e.g. <c>kdumpcloud.servicebus.windows.net</c>.</summary>
    /// <value>None; required in the identity-based form.</value>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>The client id of a user-assigned managed identity.</summary>
    /// <value>None.</value>
    public string? ClientId { get; set; }

    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any();
    }

    public static void Bind(IConfiguration configuration, ServiceBusConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(SectionName);
        options.ConnectionString = string.IsNullOrWhiteSpace(section.Value) ? section["connectionString"] : section.Value;
        options.FullyQualifiedNamespace = section["fullyQualifiedNamespace"];
        options.ClientId = section["clientId"];
    }
}
