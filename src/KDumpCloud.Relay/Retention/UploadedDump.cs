namespace KDumpCloud.Relay.Retention;

/// <summary>A dump in the spool whose ingest message has been sent, as retention weighs it.</summary>
/// <param name="DumpId">The dump's id (a version 7 GUID, so ordering by it is ordering by start).</param>
/// <param name="FileName">The name the Mac sent.</param>
/// <param name="ArrivedAt">When its transfer ended (or began, if the journal has no end): oldest first is by this.</param>
/// <param name="SentAt">When its ingest message was recorded sent: its age is counted from this.</param>
/// <param name="Bytes">What it counts against the spool quota, which is what removing it frees.</param>
internal sealed record UploadedDump(Guid DumpId, string FileName, DateTimeOffset ArrivedAt, DateTimeOffset SentAt, long Bytes);
