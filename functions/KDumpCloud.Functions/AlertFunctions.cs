using KDumpCloud.Ingest.Alerts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Functions;

/// <summary>
/// Sends the alerts the ingest recorded in the outbox (<c>Alerts:Webhooks</c> set; without it, does nothing). A timer
/// rather than sending in the queue trigger: a timer function runs on one instance at a time (the host holds a blob
/// lease), so each sink's per-minute limit and per-group interval hold however far the app scales out, and a slow
/// webhook never lengthens an ingest invocation. The cost is latency: an alert leaves within
/// <see cref="Schedule"/> (10 s) of its recording.
/// </summary>
public sealed class AlertFunctions(IServiceProvider services)
{
    /// <summary>Every 10 seconds (NCRONTAB with seconds).</summary>
    public const string Schedule = "*/10 * * * * *";

    [Function("DispatchAlerts")]
    public Task DispatchAlertsAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        services.GetService<AlertDispatcher>() is { } dispatcher ? dispatcher.DispatchAllAsync(cancellationToken) : Task.CompletedTask;
}
