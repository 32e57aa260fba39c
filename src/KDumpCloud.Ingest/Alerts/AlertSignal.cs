using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// Wakes a host's dispatch loops when an occurrence was recorded (the alert, if any, is in the outbox by then), so an
/// alert leaves within milliseconds rather than at the next poll. Every waiter wakes; a signal during a pass is not
/// lost (take <see cref="Next"/> before the pass, wait on it after).
/// </summary>
public sealed class AlertSignal : IIngestObserver
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public Task OnRecordedAsync(CrashReport report, CancellationToken cancellationToken)
    {
        // Any recording may have written an alert (a repeat can be a spike); a redelivery wrote none.
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Redelivered)
        {
            Notify();
        }

        return Task.CompletedTask;
    }
}
