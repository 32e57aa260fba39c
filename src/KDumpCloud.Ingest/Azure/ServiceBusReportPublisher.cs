using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Telemetry;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// Publishes crash reports to the Service Bus topic (default <c>crash-reports</c>), one message per dump; see
/// <see cref="ReportMessages"/> for its shape. The SDK retries each send itself; nothing here retries again. Ids,
/// fingerprints and group ids are short, so the MessageId (the dump id, 36 characters) is within Service Bus's 128.
/// Inside a span (the ingest's <see cref="IngestActivities.Publish"/>) the message carries it as
/// <see cref="DiagnosticIdProperty"/>, so a subscriber continues the dump's trace.
/// </summary>
public sealed class ServiceBusReportPublisher(ServiceBusSender sender) : IReportPublisher
{
    /// <summary>The application property the Service Bus SDK reads a message's trace context from (a W3C traceparent).</summary>
    public const string DiagnosticIdProperty = "Diagnostic-Id";

    public Task PublishAsync(CrashReport report, CancellationToken cancellationToken)
    {
        var message = ReportMessages.Create(report);
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            message.ApplicationProperties[DiagnosticIdProperty] = activity.Id;
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(IngestTags.MessagingSystem, "servicebus");
                activity.SetTag(IngestTags.MessagingDestination, sender.EntityPath);
                activity.SetTag(IngestTags.MessageId, message.MessageId);
            }
        }

        return sender.SendMessageAsync(message, cancellationToken);
    }
}
