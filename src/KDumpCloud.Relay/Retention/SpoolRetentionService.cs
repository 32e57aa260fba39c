using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Retention;

/// <summary>
/// Runs <see cref="SpoolRetention"/>: once at start (a spool left full by an earlier run, or under a lowered quota,
/// gets its room back before requests find it full), every <see cref="RetentionOptions.Interval"/>, and at once when
/// the spool cues it: a request or write refused for space, or a journal changed (an upload recorded sent). It never
/// sits on a transfer's path: the spool only raises a signal, and this looks in its own time.
/// </summary>
internal sealed class SpoolRetentionService(
    SpoolRetention retention,
    DumpSpool spool,
    RelayMetrics metrics,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<SpoolRetentionService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        RunPass();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await WaitForCueAsync(stoppingToken);
            if (!stoppingToken.IsCancellationRequested)
            {
                RunPass();
            }
        }
    }

    private async Task WaitForCueAsync(CancellationToken stoppingToken)
    {
        using var cue = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(
            spool.ShortOfSpace.WaitAsync(cue.Token),
            spool.JournalChanged.WaitAsync(cue.Token),
            Task.Delay(options.Value.Interval, time, cue.Token));

        // Drop the waits that did not fire; their signals keep what they hold for the next wait.
        await cue.CancelAsync();
    }

    private void RunPass()
    {
        try
        {
            foreach (var (dump, why) in retention.RunPass().Removed)
            {
                metrics.RetentionRemoved(why, dump.Bytes);
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Log.RetentionPassFailed(logger, error);
        }
    }
}
