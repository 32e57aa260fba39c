using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Ports;

/// <summary>Sends a crash report on (Service Bus topic in Azure). Must be idempotent by the report's dump id: a
/// redelivered message publishes again and the receiver deduplicates.</summary>
public interface IReportPublisher
{
    Task PublishAsync(CrashReport report, CancellationToken cancellationToken);
}
