using KDumpCloud.Ingest.Model;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// The relay's side of the ingest contract: the one <see cref="IngestMessage"/> for a finished dump, from its journal.
/// The uploader sends it with the committed blob's URI; the embedded ingest hands it to the core with the spool file's
/// URI. Nothing else differs.
/// </summary>
internal static class IngestMessages
{
    /// <summary>The message for <paramref name="journal"/>'s dump, found at <paramref name="dumpUri"/>; kind and kernel
    /// version from the file name when the kernel made it (kdump-protocol.md §14), absent for a name sent verbatim; the
    /// journal's traceparent, so that the ingest continues the dump's trace.</summary>
    public static IngestMessage For(DumpJournal journal, Uri dumpUri, string relayHost)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var parts = DumpFileName.TryParse(journal.FileName, out var parsed) ? parsed : null;
        return new IngestMessage
        {
            DumpId = journal.DumpId,
            BlobUri = dumpUri,
            Size = journal.FileLength,
            Sha256 = journal.Sha256,
            Complete = journal.State == DumpState.Complete,
            Reason = journal.Reason,
            Client = journal.Client,
            FileName = journal.FileName,
            RelayHost = relayHost,
            ReceivedAt = journal.FinishedAt,
            Kind = parts?.Prefix,
            KernelVersion = parts?.KernelVersion,

            // The dump's trace, from its receive span; the uploader names its own upload span instead.
            TraceParent = journal.TraceParent,
        };
    }
}
