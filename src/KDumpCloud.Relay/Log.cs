using System.Net;
using System.Net.Sockets;

namespace KDumpCloud.Relay;

/// <summary>Every log line the relay writes, with its event id allocated here (1xx listener, 2xx transfers,
/// 3xx spool, 4xx upload, 5xx retention, 6xx embedded ingest in Ingest/IngestLog.cs, 7xx alerts in
/// Alerts/, 8xx the dashboard in Dashboard/, 9xx health and operations in Operations/).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Listening for kdump write requests on UDP {EndPoint}; serving {AllowedNetworks}")]
    public static partial void ListenerStarted(ILogger logger, IPEndPoint endPoint, string allowedNetworks);

    [LoggerMessage(101, LogLevel.Warning, "Receive on the listening socket failed ({Error}); still listening")]
    public static partial void ListenerReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(102, LogLevel.Debug, "Write request from {Client}, outside Relay:AllowedNetworks: no reply")]
    public static partial void WriteRequestFromOutside(ILogger logger, IPEndPoint client);

    [LoggerMessage(103, LogLevel.Warning, "Refused {FileName} from {Client}: {Reason} ({Answer})")]
    public static partial void WriteRequestRefused(ILogger logger, IPEndPoint client, string fileName, string reason, string answer);

    [LoggerMessage(108, LogLevel.Warning, "{Suppressed} more refusals were not logged in the last {Seconds} s")]
    public static partial void WriteRequestRefusalsSuppressed(ILogger logger, long suppressed, int seconds);

    [LoggerMessage(104, LogLevel.Information, "Write request for {FileName} from {Client} repeated before any data: ACK 0 sent again")]
    public static partial void WriteRequestRetransmitted(ILogger logger, IPEndPoint client, string fileName);

    [LoggerMessage(105, LogLevel.Error, "A write request could not be handled; still listening")]
    public static partial void WriteRequestFailed(ILogger logger, Exception error);

    [LoggerMessage(106, LogLevel.Debug, "Write request from {Client} dropped: past Relay:WriteRequestsPerSecondPerSource")]
    public static partial void WriteRequestThrottled(ILogger logger, IPEndPoint client);

    [LoggerMessage(107, LogLevel.Warning, "{Count} transfers had not let go when the relay's stop time ran out")]
    public static partial void StopTimedOut(ILogger logger, int count);

    [LoggerMessage(200, LogLevel.Information, "Started {FileName} from {Client}: features {Features}, {MaxPayload}-byte packets, replying from port {ReplyPort}")]
    public static partial void TransferStarted(ILogger logger, IPEndPoint client, string fileName, int features, int maxPayload, int replyPort);

    [LoggerMessage(201, LogLevel.Information, "Completed {FileName} from {Client}: {Bytes} bytes in {Seconds:0.000} s, {MegabytesPerSecond:0.0} MB/s, {Packets} packets, {Duplicates} duplicates, {AckRetransmissions} ACK retransmissions")]
    public static partial void TransferCompleted(ILogger logger, IPEndPoint client, string fileName, long bytes, double seconds, double megabytesPerSecond, long packets, long duplicates, long ackRetransmissions);

    [LoggerMessage(202, LogLevel.Warning, "Incomplete {FileName} from {Client}: {Reason}; kept {Bytes} bytes after {Seconds:0.000} s ({MegabytesPerSecond:0.0} MB/s)")]
    public static partial void TransferIncomplete(ILogger logger, IPEndPoint client, string fileName, string reason, long bytes, double seconds, double megabytesPerSecond);

    [LoggerMessage(203, LogLevel.Error, "Journal of {FileName} could not be written; retried in the background until it is")]
    public static partial void JournalWriteFailed(ILogger logger, string fileName, Exception error);

    [LoggerMessage(204, LogLevel.Error, "Retransmit timer of {FileName} failed; the transfer is ended")]
    public static partial void TimerFailed(ILogger logger, string fileName, Exception error);

    [LoggerMessage(205, LogLevel.Error, "Transfer of {FileName} from {Client} failed inside the relay; what arrived is kept as incomplete")]
    public static partial void TransferFailed(ILogger logger, IPEndPoint client, string fileName, Exception error);

    [LoggerMessage(206, LogLevel.Error, "EOF of {FileName} from {Client}: the dump could not be made durable, so the final ACK is held back; retrying on the Mac's retransmissions")]
    public static partial void CompletionNotDurable(ILogger logger, IPEndPoint client, string fileName, Exception error);

    [LoggerMessage(207, LogLevel.Information, "Request for {FileName} from {Client} ended with nothing received ({Reason}); its file is deleted")]
    public static partial void TransferDiscarded(ILogger logger, IPEndPoint client, string fileName, string reason);

    [LoggerMessage(300, LogLevel.Information, "Spool {Directory}: {Complete} complete and {Incomplete} incomplete dumps, {Repaired} repaired at start, {UsedBytes} bytes used")]
    public static partial void SpoolRecovered(ILogger logger, string directory, int complete, int incomplete, int repaired, long usedBytes);

    [LoggerMessage(301, LogLevel.Warning, "Spool: {FileName} recorded as incomplete: {Reason} ({Bytes} bytes kept)")]
    public static partial void SpoolDumpRepaired(ILogger logger, string fileName, string reason, long bytes);

    [LoggerMessage(302, LogLevel.Warning, "Spool: {Entry} left alone, not counted and not recorded: {Problem}")]
    public static partial void SpoolEntrySkipped(ILogger logger, string entry, string problem);

    [LoggerMessage(303, LogLevel.Warning, "Spool: {FileName} not hashed: {Problem}")]
    public static partial void DumpNotHashed(ILogger logger, string fileName, string problem);

    [LoggerMessage(EventId = 304, Message = "Spool: {FileName} {Why}")]
    public static partial void DumpRemoved(ILogger logger, LogLevel level, string fileName, string why);

    [LoggerMessage(305, LogLevel.Information, "Spool: journal of {FileName} written after an earlier failure")]
    public static partial void JournalSavedLate(ILogger logger, string fileName);

    [LoggerMessage(306, LogLevel.Error, "Spool background work failed while {What}; the relay keeps serving")]
    public static partial void BackgroundWorkFailed(ILogger logger, string what, Exception error);

    [LoggerMessage(307, LogLevel.Information, "Spool background work abandoned at stop while {What}; recovery finishes it at the next start")]
    public static partial void BackgroundWorkAbandoned(ILogger logger, string what);

    [LoggerMessage(308, LogLevel.Information, "Spool: {Count} dumps queued for hashing after start")]
    public static partial void SpoolHashesQueued(ILogger logger, int count);

    [LoggerMessage(400, LogLevel.Information, "Uploading to {Container} in {BlockSizeBytes}-byte blocks, ingest messages to {Queue}; {Dumps} dumps already in the spool taken up")]
    public static partial void UploaderStarted(ILogger logger, Uri container, Uri queue, int blockSizeBytes, int dumps);

    [LoggerMessage(401, LogLevel.Information, "Uploaded {FileName} ({State}) as {Blob}: {Bytes} bytes in {Seconds:0.000} s, {MegabytesPerSecond:0.0} MB/s, committed {SecondsAfterEof:0.000} s after EOF")]
    public static partial void DumpUploaded(ILogger logger, string fileName, string blob, long bytes, double seconds, double megabytesPerSecond, double secondsAfterEof, string state);

    [LoggerMessage(402, LogLevel.Warning, "Upload of {FileName} failed (attempt {Attempt}): {Reason}; trying again in {RetrySeconds:0.0} s")]
    public static partial void UploadFailed(ILogger logger, string fileName, int attempt, double retrySeconds, string reason, Exception error);

    [LoggerMessage(403, LogLevel.Error, "{FileName} cannot be uploaded: {Reason}; not tried again")]
    public static partial void DumpNotUploadable(ILogger logger, string fileName, string reason);

    [LoggerMessage(404, LogLevel.Information, "{FileName} was already committed as {Blob} (before a restart): not committed again")]
    public static partial void DumpFoundCommitted(ILogger logger, string fileName, string blob);

    [LoggerMessage(405, LogLevel.Debug, "Ingest message for {FileName} sent to {Queue}")]
    public static partial void IngestMessageSent(ILogger logger, string fileName, Uri queue);

    [LoggerMessage(406, LogLevel.Warning, "Upload state of dump {DumpId} could not be journaled now; the spool retries it in the background")]
    public static partial void UploadJournalNotWritten(ILogger logger, Guid dumpId, Exception error);

    [LoggerMessage(407, LogLevel.Warning, "{Resource} could not be created ({Error}); expecting it to exist")]
    public static partial void StorageNotCreated(ILogger logger, Uri resource, string error);

    [LoggerMessage(410, LogLevel.Information, "Upload of {FileName} resumes after {Blocks} blocks ({Bytes} bytes) an earlier attempt staged")]
    public static partial void UploadResumed(ILogger logger, string fileName, long blocks, long bytes);

    // 420-429: the uploader's storage circuit and backlog (StorageResilience, UploadBacklog).
    [LoggerMessage(420, LogLevel.Warning, "Storage unreachable ({Operation}: {Reason}): uploads wait, and one call probes it every {BreakSeconds:0.#} s; the relay goes on receiving. Backlog: {Dumps} dumps, {Bytes} bytes not yet uploaded")]
    public static partial void StorageCircuitOpened(ILogger logger, string operation, string reason, double breakSeconds, int dumps, long bytes);

    [LoggerMessage(421, LogLevel.Information, "Storage reachable again after {OpenSeconds:0.0} s: uploads resume. Backlog: {Dumps} dumps, {Bytes} bytes not yet uploaded")]
    public static partial void StorageCircuitClosed(ILogger logger, double openSeconds, int dumps, long bytes);

    [LoggerMessage(422, LogLevel.Debug, "Storage probe failed ({Reason}); next probe in {BreakSeconds:0.#} s")]
    public static partial void StorageProbeFailed(ILogger logger, string reason, double breakSeconds);

    [LoggerMessage(423, LogLevel.Debug, "Upload of {FileName} waits for storage to be reachable ({Reason})")]
    public static partial void UploadWaitsForStorage(ILogger logger, string fileName, string reason);

    [LoggerMessage(424, LogLevel.Information, "Upload backlog: {Dumps} dumps, {Bytes} bytes not yet uploaded")]
    public static partial void UploadBacklog(ILogger logger, int dumps, long bytes);

    [LoggerMessage(425, LogLevel.Information, "Upload backlog drained: every dump is uploaded and announced")]
    public static partial void UploadBacklogDrained(ILogger logger);

    [LoggerMessage(500, LogLevel.Information, "Retention removed {Count} uploaded dumps, {Bytes} bytes ({Why}); the spool now holds {UsedBytes} bytes")]
    public static partial void RetentionRemoved(ILogger logger, int count, long bytes, string why, long usedBytes);

    [LoggerMessage(501, LogLevel.Debug, "Retention removed {FileName} ({Bytes} bytes): {Why}")]
    public static partial void RetentionRemovedDump(ILogger logger, string fileName, long bytes, Retention.RemovalReason why);

    [LoggerMessage(502, LogLevel.Debug, "Retention left {FileName}: {Problem}")]
    public static partial void RetentionSkippedDump(ILogger logger, string fileName, string problem);

    [LoggerMessage(503, LogLevel.Warning, "Retention could not delete {FileName} ({Error}); trying again at the next pass")]
    public static partial void RetentionRemovalFailed(ILogger logger, string fileName, string error);

    [LoggerMessage(504, LogLevel.Warning, "Spool is short of room for arriving dumps ({HeadroomBytes} bytes wanted; {UsedBytes} bytes used, {AvailableDiskBytes} bytes free on disk) and no uploaded dump is left to remove: the rest waits for upload")]
    public static partial void RetentionCannotMakeRoom(ILogger logger, long headroomBytes, long usedBytes, long availableDiskBytes);

    [LoggerMessage(505, LogLevel.Information, "Spool has room for arriving dumps again ({HeadroomBytes} bytes)")]
    public static partial void RetentionRoomRestored(ILogger logger, long headroomBytes);

    [LoggerMessage(506, LogLevel.Error, "Retention pass failed; trying again at the next")]
    public static partial void RetentionPassFailed(ILogger logger, Exception error);
}
