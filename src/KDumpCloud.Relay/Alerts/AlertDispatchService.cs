using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Delivery;

namespace KDumpCloud.Relay.Alerts;

/// <summary>
/// The embedded relay's alert sender: one loop per sink, each woken by <see cref="AlertSignal"/> when the in-process
/// ingest records a dump (so an alert leaves milliseconds after the record) and otherwise every
/// <c>Alerts:PollInterval</c> for retries. Loops are independent: a slow or dead webhook delays only its own alerts,
/// and never the ingest, which only writes the outbox.
/// </summary>
internal sealed partial class AlertDispatchService(AlertDispatcher dispatcher, AlertSignal signal, Microsoft.Extensions.Options.IOptions<AlertOptions> options,
    TimeProvider time, ILogger<AlertDispatchService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var sink in dispatcher.Sinks)
        {
            Log.SinkConfigured(logger, sink.Display, string.Join(',', sink.Filter.Events.Select(AlertEvents.Name)));
        }

        return Task.WhenAll(dispatcher.Sinks.Select(sink => RunAsync(sink, stoppingToken)));
    }

    private async Task RunAsync(AlertSink sink, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = signal.Next;
            try
            {
                await dispatcher.PurgeAsync(stoppingToken);
                await dispatcher.DispatchAsync(sink, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The outbox's disk or a bug: the alerts stay in the outbox; try again at the next poll.
                Log.PassFailed(logger, sink.Display, error);
            }

            try
            {
                await Task.WhenAny(next, Task.Delay(options.Value.PollInterval, time, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(700, LogLevel.Information, "Alerts go to {Sink} (events {Events})")]
        public static partial void SinkConfigured(ILogger logger, string sink, string events);

        [LoggerMessage(701, LogLevel.Error, "Alert pass for {Sink} failed; the alerts stay in the outbox and are tried again")]
        public static partial void PassFailed(ILogger logger, string sink, Exception error);
    }
}
