using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Ingest;

/// <summary>The message the embedded relay hands the core for a spool file: what the uploader would send, pointing at
/// the file instead of a blob.</summary>
internal static class EmbeddedIngestMessage
{
    public static IngestMessage From(DumpJournal journal, string dumpPath) => new()
    {
        DumpId = journal.DumpId,
        BlobUri = FileDumpReader.UriFor(dumpPath),
        Size = journal.FileLength,
        Sha256 = journal.Sha256,
        Complete = journal.State == DumpState.Complete,
        Reason = journal.Reason,
        Client = journal.Client,
        FileName = journal.FileName,
        RelayHost = Environment.MachineName,
        ReceivedAt = journal.FinishedAt,

        // The file name's kernel version and kind (kdump-protocol.md §14) need a parser of the name; until
        // KDumpCloud.Kdump has one they are left out, and the occurrence takes the kernel from the panic itself.
        KernelVersion = null,
        Kind = null,
    };
}
