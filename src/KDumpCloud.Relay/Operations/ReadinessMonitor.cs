using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// Follows readiness once the host has started: checks it every <see cref="WaitingInterval"/> until ready, then every
/// <see cref="ReadyInterval"/>. It tells systemd <c>READY=1</c> the first time the relay is ready (not when the host
/// has merely started; see <see cref="SystemdNotifications"/>), a <c>STATUS=</c> line whenever what it reports
/// changes, logs each change, and keeps the gauge <c>kdumpcloud.relay.ready</c> (1 ready, 0 not).
/// </summary>
internal sealed partial class ReadinessMonitor : BackgroundService
{
    public static readonly TimeSpan WaitingInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan ReadyInterval = TimeSpan.FromSeconds(10);

    /// <summary>The meter of the relay's health (matched by the telemetry's <c>KDumpCloud.*</c>).</summary>
    public const string MeterName = "KDumpCloud.Relay.Health";

    private readonly RelayHealth _health;
    private readonly SystemdNotifications _systemd;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<ReadinessMonitor> _logger;
    private volatile int _ready = -1;
    private volatile bool _hasBeenReady;

    public ReadinessMonitor(RelayHealth health, SystemdNotifications systemd, IHostApplicationLifetime lifetime, TimeProvider time,
        IMeterFactory meters, ILogger<ReadinessMonitor> logger)
    {
        _health = health;
        _systemd = systemd;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("kdumpcloud.relay.ready", ObserveReady, unit: "{ready}",
            description: "1 while the relay is ready (listening, spool writable, spool recovered), 0 while it is not");
    }

    /// <summary>Whether readiness was reached at least once (systemd has been told).</summary>
    public bool HasBeenReady => _hasBeenReady;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(started.SetResult))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        string? reported = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            HealthReport report;
            try
            {
                report = await _health.CheckReadinessAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            var ready = RelayHealth.IsReady(report);
            _ready = ready ? 1 : 0;
            var summary = RelayHealth.Summary(report);
            if (ready && !HasBeenReady)
            {
                _hasBeenReady = true;
                _systemd.NotifyReady(summary);
                LogReady(_logger, summary);
            }
            else if (summary != reported)
            {
                _systemd.NotifyStatus(summary);
                if (ready)
                {
                    LogReady(_logger, summary);
                }
                else
                {
                    LogNotReady(_logger, summary);
                }
            }

            reported = summary;
            try
            {
                await Task.Delay(ready ? ReadyInterval : WaitingInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveReady()
    {
        var ready = _ready;
        return ready < 0 ? [] : [new Measurement<int>(ready)];
    }

    [LoggerMessage(900, LogLevel.Information, "Relay {Summary}")]
    private static partial void LogReady(ILogger logger, string summary);

    [LoggerMessage(901, LogLevel.Warning, "Relay {Summary}")]
    private static partial void LogNotReady(ILogger logger, string summary);
}
