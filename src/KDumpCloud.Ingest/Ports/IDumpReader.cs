using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Ports;

/// <summary>Opens the dump a message points at, as a forward-only stream: a blob download or a spool file.</summary>
public interface IDumpReader
{
    /// <exception cref="DumpMissingException">The dump is not where the message says (retrying will not help).</exception>
    Task<Stream> OpenAsync(IngestMessage message, CancellationToken cancellationToken);
}

/// <summary>The dump a message points at does not exist (deleted, or the message is wrong).</summary>
public sealed class DumpMissingException(string message, Exception? inner = null) : Exception(message, inner);
