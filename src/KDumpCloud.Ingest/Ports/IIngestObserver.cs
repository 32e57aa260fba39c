using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Ports;

/// <summary>
/// Told about every recorded dump after its report is published (chat alerts plug in here). Called again for a
/// redelivered dump with <see cref="RecordResult.AlreadyRecorded"/> set, so an observer that did not finish the first
/// time can, and one that did can do nothing.
/// </summary>
public interface IIngestObserver
{
    Task OnRecordedAsync(CrashReport report, CancellationToken cancellationToken);
}
