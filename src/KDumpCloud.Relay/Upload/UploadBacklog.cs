using System.Collections.Concurrent;
using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// The dumps the uploader holds that are not yet uploaded and announced, and how many of their bytes are not yet
/// staged. <see cref="ReportAsync"/> logs it every <see cref="UploadOptions.BacklogLogInterval"/> while it is not
/// empty, and it is logged once more when it drains, so an operator can see an upload falling behind without one line
/// per dump.
/// </summary>
internal sealed class UploadBacklog(IOptions<UploadOptions> options, TimeProvider time, ILogger<UploadBacklog> logger)
{
    private readonly ConcurrentDictionary<Guid, Entry> _dumps = new();
    private readonly Lock _gate = new();
    private bool _reported;

    /// <summary>Dumps held, and bytes on disk not yet staged, now.</summary>
    public (int Dumps, long Bytes) Current
    {
        get
        {
            var dumps = 0;
            long bytes = 0;
            foreach (var entry in _dumps.Values)
            {
                dumps++;
                bytes += entry.PendingBytes;
            }

            return (dumps, bytes);
        }
    }

    /// <summary>How long the oldest dump held has waited, counted from <c>since</c> as given to <see cref="Add"/>;
    /// zero when none is held.</summary>
    public TimeSpan OldestAge
    {
        get
        {
            DateTimeOffset? oldest = null;
            foreach (var entry in _dumps.Values)
            {
                if (oldest is null || entry.Since < oldest)
                {
                    oldest = entry.Since;
                }
            }

            return oldest is { } since && time.GetUtcNow() - since is { Ticks: > 0 } age ? age : TimeSpan.Zero;
        }
    }

    /// <summary>A dump the uploader took up, waiting since <paramref name="since"/> (its WRQ; now when unknown).</summary>
    public void Add(DumpProgress progress, DateTimeOffset? since = null) =>
        _dumps.TryAdd(progress.DumpId, new Entry(progress, since ?? time.GetUtcNow()));

    /// <summary>The first <paramref name="bytes"/> of the dump are staged (or committed).</summary>
    public void Staged(Guid dumpId, long bytes)
    {
        if (_dumps.TryGetValue(dumpId, out var entry))
        {
            entry.SetStaged(bytes);
        }
    }

    /// <summary>The dump is done with (announced, or not uploadable at all). Logs once when that empties a backlog
    /// that was logged.</summary>
    public void Remove(Guid dumpId)
    {
        lock (_gate)
        {
            if (_dumps.TryRemove(dumpId, out _) && _dumps.IsEmpty && _reported)
            {
                _reported = false;
                Log.UploadBacklogDrained(logger);
            }
        }
    }

    /// <summary>Logs the backlog every <see cref="UploadOptions.BacklogLogInterval"/> while it is not empty, until
    /// stopped.</summary>
    public async Task ReportAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.BacklogLogInterval;
        try
        {
            var tick = Task.Delay(interval, time, stoppingToken);
            while (true)
            {
                await tick;
                tick = Task.Delay(interval, time, stoppingToken); // from the tick, not from after the line
                lock (_gate)
                {
                    var (dumps, bytes) = Current;
                    if (dumps > 0)
                    {
                        _reported = true;
                        Log.UploadBacklog(logger, dumps, bytes);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed class Entry(DumpProgress progress, DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        private long _stagedBytes;

        public void SetStaged(long bytes) => Volatile.Write(ref _stagedBytes, bytes);

        public long PendingBytes => Math.Max(0, progress.WrittenLength - Volatile.Read(ref _stagedBytes));
    }
}
