using Azure.Messaging.ServiceBus;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// Publishes crash reports to the Service Bus topic (default <c>crash-reports</c>), one message per dump; see
/// <see cref="ReportMessages"/> for its shape. The SDK retries each send itself; nothing here retries again. Ids,
/// fingerprints and group ids are short, so the MessageId (the dump id, 36 characters) is within Service Bus's 128.
/// </summary>
public sealed class ServiceBusReportPublisher(ServiceBusSender sender) : IReportPublisher
{
    public Task PublishAsync(CrashReport report, CancellationToken cancellationToken) =>
        sender.SendMessageAsync(ReportMessages.Create(report), cancellationToken);
}
