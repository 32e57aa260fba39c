using System.Collections.Concurrent;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// How a later stage (the uploader, the embedded ingest) follows the spool: every dump once, whether it was there
/// before the stage started (the snapshot) or starts later (the subscription), each handed to the stage's own work
/// beside the transfers.
/// </summary>
internal sealed class SpoolFollower(DumpSpool spool)
{
    private readonly ConcurrentDictionary<Guid, byte> _taken = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>
    /// Runs <paramref name="work"/> once per dump that <paramref name="wanted"/> accepts, until
    /// <paramref name="stoppingToken"/> is cancelled; then waits for the work already started. Calls
    /// <paramref name="caughtUp"/> with the number of dumps taken from the first snapshot.
    /// </summary>
    public async Task FollowAsync(Func<DumpProgress, bool> wanted, Func<DumpProgress, CancellationToken, Task> work,
        Action<int> caughtUp, CancellationToken stoppingToken)
    {
        // Subscribe before the snapshot, so a dump that starts in between is in one or the other (or both: a dump
        // is taken once).
        using var feed = spool.Subscribe();
        feed.ResetOverflow();
        caughtUp(CatchUp());
        try
        {
            await foreach (var progress in feed.Started.ReadAllAsync(stoppingToken))
            {
                Take(progress);
                if (feed.Overflowed)
                {
                    CatchUp();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_running.Keys);
        }

        int CatchUp()
        {
            feed.ResetOverflow();
            return spool.Snapshot().Count(Take);
        }

        bool Take(DumpProgress progress)
        {
            if (!wanted(progress) || !_taken.TryAdd(progress.DumpId, 0))
            {
                return false;
            }

            var running = Task.Run(() => work(progress, stoppingToken), CancellationToken.None);
            _running[running] = 0;
            _ = running.ContinueWith(done => _running.TryRemove(done, out _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return true;
        }
    }
}
