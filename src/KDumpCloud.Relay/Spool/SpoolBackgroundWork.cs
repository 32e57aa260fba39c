using System.Collections.Concurrent;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// The spool's slow work (hashing finished dumps, retrying journal writes a full disk refused) on one thread of its
/// own, one item at a time. It never runs on the thread pool, where it could starve the listener's receive, and at
/// most one core is ever busy with it, so a storm of finished dumps cannot delay a WRQ. Every failure is logged
/// here; none escapes.
/// </summary>
internal sealed class SpoolBackgroundWork : IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    private readonly BlockingCollection<(string What, Action<CancellationToken> Work)> _queue = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _onTick;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private int _pending;

    /// <param name="onTick">Runs every few seconds when idle (journal retries).</param>
    /// <param name="logger">Where failures are reported.</param>
    public SpoolBackgroundWork(Action onTick, ILogger logger)
    {
        _onTick = onTick;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "kdump spool background work" };
        _thread.Start();
    }

    /// <summary>Items queued or running.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues <paramref name="work"/>; once stopping, it is dropped (recovery does it at the next start).
    /// Never throws.</summary>
    public void Enqueue(string what, Action<CancellationToken> work)
    {
        Interlocked.Increment(ref _pending);
        try
        {
            if (_queue.TryAdd((what, work)))
            {
                return;
            }
        }
        catch (Exception error) when (error is InvalidOperationException or ObjectDisposedException)
        {
            // Adding was completed (the relay is stopping) or the queue is gone.
        }

        Interlocked.Decrement(ref _pending);
        Log.BackgroundWorkAbandoned(_logger, what);
    }

    /// <summary>Lets the queued work finish while <paramref name="cancellationToken"/> allows, then abandons the
    /// rest (recovery redoes it at the next start).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.CompleteAdding();
        try
        {
            await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _stopped.Task.ConfigureAwait(false);
        }
    }

    private void Run()
    {
        while (!_queue.IsCompleted)
        {
            (string What, Action<CancellationToken> Work) item;
            try
            {
                if (!_queue.TryTake(out item, TickInterval))
                {
                    Attempt("retrying journal writes", _ => _onTick());
                    continue;
                }
            }
            catch (InvalidOperationException)
            {
                break;
            }

            Attempt(item.What, item.Work);
            Interlocked.Decrement(ref _pending);
        }

        Attempt("retrying journal writes", _ => _onTick());
        _stopped.TrySetResult();
    }

    private void Attempt(string what, Action<CancellationToken> work)
    {
        try
        {
            work(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            Log.BackgroundWorkAbandoned(_logger, what);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Log.BackgroundWorkFailed(_logger, what, error);
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _stopping.Cancel();
        _stopped.Task.Wait(TimeSpan.FromSeconds(5));
        _queue.Dispose();
        _stopping.Dispose();
    }
}
