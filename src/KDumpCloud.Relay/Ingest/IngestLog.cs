namespace KDumpCloud.Relay;

/// <summary>The embedded ingest's log lines (6xx). The line per crash ("new crash: …", "crash seen again: …") is the
/// core's own, from <c>DumpIngestor</c>.</summary>
internal static partial class Log
{
    [LoggerMessage(600, LogLevel.Information, "Ingesting dumps in process into {Store}, {Concurrency} at a time; {Dumps} dumps already in the spool taken up")]
    public static partial void EmbeddedIngestStarted(ILogger logger, string store, int concurrency, int dumps);

    [LoggerMessage(601, LogLevel.Warning, "Ingest of {FileName} failed (attempt {Attempt} of {MaxAttempts}): {Reason}; trying again in {RetrySeconds:0.0} s")]
    public static partial void IngestAttemptFailed(ILogger logger, string fileName, int attempt, int maxAttempts, double retrySeconds, string reason, Exception error);

    [LoggerMessage(602, LogLevel.Error, "Ingest of {FileName} could not even record the failure ({Reason}); it is tried again at the next start")]
    public static partial void IngestFailureNotRecorded(ILogger logger, string fileName, string reason, Exception error);

    [LoggerMessage(603, LogLevel.Warning, "Ingest result of {FileName} could not be journaled now; the spool retries it in the background")]
    public static partial void IngestJournalNotWritten(ILogger logger, string fileName, Exception error);
}
