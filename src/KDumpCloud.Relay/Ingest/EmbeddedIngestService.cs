using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Upload;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Ingest;

/// <summary>
/// The embedded relay's ingest: follows the spool as the uploader does (a subscription for dumps as they start, the
/// snapshot for those already there) and, once a dump is finished (ended and hashed), runs the core on its spool file,
/// a few dumps at a time, beside the transfers and never on their path.
/// </summary>
/// <remarks>
/// <para>Exactly once across restarts: the result is recorded in the dump's journal (<see cref="DumpJournal.Ingest"/>)
/// after the store has it, and a dump whose journal says so is never ingested again. A stop between the two leaves the
/// journal without it; the next start runs the core again, which finds the dump id already recorded and counts
/// nothing.</para>
/// <para>Failures: an attempt that throws (the store's disk, a read error) is logged with its reason and tried again
/// after a doubling delay, up to <see cref="EmbeddedIngestOptions.MaxAttempts"/>; then the dump is recorded as failed
/// with the last reason (<see cref="DumpIngestor.RecordFailureAsync"/>), so nothing disappears. A dump whose file is
/// gone is recorded as failed at once.</para>
/// </remarks>
internal sealed class EmbeddedIngestService(
    DumpSpool spool,
    DumpIngestor ingestor,
    SqliteCrashStore store,
    IOptions<EmbeddedIngestOptions> options,
    TimeProvider time,
    ILogger<EmbeddedIngestService> logger) : BackgroundService
{
    private readonly EmbeddedIngestOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentDumps, options.Value.MaxConcurrentDumps);
    private readonly SpoolFollower _follower = new(spool);
    private int _dumpsTaken;

    /// <summary>Dumps taken up for ingest since start (those whose journal already had a result are not).</summary>
    public int DumpsTaken => Volatile.Read(ref _dumpsTaken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _follower.FollowAsync(
            wanted: progress => !IsDone(spool.Find(progress.DumpId)),
            work: (progress, token) =>
            {
                Interlocked.Increment(ref _dumpsTaken);
                return IngestWhenFinishedAsync(progress, token);
            },
            caughtUp: taken => Log.EmbeddedIngestStarted(logger, store.Path, _options.MaxConcurrentDumps, taken),
            stoppingToken);

    private static bool IsDone(DumpJournal? journal) => journal?.Ingest?.State is IngestStates.Recorded or IngestStates.Failed;

    private async Task IngestWhenFinishedAsync(DumpProgress progress, CancellationToken stoppingToken)
    {
        try
        {
            while (!progress.IsFinished)
            {
                await progress.WaitForChangeAsync(progress.WrittenLength, stoppingToken);
            }

            await _slots.WaitAsync(stoppingToken);
            try
            {
                await IngestWithRetriesAsync(progress, stoppingToken);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // What was not finished is taken up at the next start.
        }
    }

    private async Task IngestWithRetriesAsync(DumpProgress progress, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var journal = spool.Find(progress.DumpId);
            if (journal is null || IsDone(journal))
            {
                return; // released by then, or done before a restart
            }

            // What the uploader would send, pointing at the spool file instead of a blob.
            var message = IngestMessages.For(journal, FileDumpReader.UriFor(spool.DumpPath(journal.FileName)), Environment.MachineName);
            string reason;
            try
            {
                var report = await ingestor.IngestAsync(message, stoppingToken);
                Record(journal, new DumpIngest
                {
                    State = IngestStates.Recorded,
                    GroupId = report.Group.Id,
                    Outcome = report.Outcome.ToString(),
                    UpdatedAt = time.GetUtcNow(),
                });
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (DumpMissingException missing)
            {
                reason = missing.Message;
                attempt = _options.MaxAttempts;
            }
            catch (Exception error)
            {
                reason = $"{error.GetType().Name}: {error.Message}";
                if (attempt < _options.MaxAttempts)
                {
                    var delay = RetryDelay(attempt);
                    Log.IngestAttemptFailed(logger, journal.FileName, attempt, _options.MaxAttempts, delay.TotalSeconds, reason, error);
                    await Task.Delay(delay, time, stoppingToken);
                    continue;
                }
            }

            await RecordFailureAsync(journal, message, reason, stoppingToken);
            return;
        }
    }

    private async Task RecordFailureAsync(DumpJournal journal, IngestMessage message, string reason, CancellationToken stoppingToken)
    {
        try
        {
            var report = await ingestor.RecordFailureAsync(message, reason, stoppingToken);
            Record(journal, new DumpIngest
            {
                State = IngestStates.Failed,
                GroupId = report.Group.Id,
                Outcome = report.Outcome.ToString(),
                Error = reason,
                UpdatedAt = time.GetUtcNow(),
            });
        }
        catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The store itself is failing: the journal stays without a result, so the next start tries again.
            Log.IngestFailureNotRecorded(logger, journal.FileName, reason, error);
        }
    }

    private TimeSpan RetryDelay(int failures)
    {
        var doubled = _options.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 10));
        return doubled < TimeSpan.FromMinutes(5) ? doubled : TimeSpan.FromMinutes(5);
    }

    private void Record(DumpJournal journal, DumpIngest result)
    {
        try
        {
            spool.UpdateJournal(journal.DumpId, current => current with { Ingest = result });
        }
        catch (IOException error)
        {
            // The spool keeps the change and writes it in the background; should the relay stop first, the next
            // start runs the core again and it counts nothing twice.
            Log.IngestJournalNotWritten(logger, journal.FileName, error);
        }
    }
}
