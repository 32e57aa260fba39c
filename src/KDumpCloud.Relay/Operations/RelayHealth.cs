using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// The relay's health, from its health checks: the one place readiness is decided, for <c>/health/ready</c>, for
/// systemd (<see cref="ReadinessMonitor"/>) and for the dashboard's overview. Ready means the checks tagged
/// <see cref="ReadyTag"/> (listener, spool writable, spool recovery) are not unhealthy; the others (storage, uploads)
/// are reported but can at worst be degraded.
/// </summary>
internal sealed class RelayHealth(HealthCheckService checks)
{
    /// <summary>Tag of the checks readiness requires.</summary>
    public const string ReadyTag = "ready";

    public const string Listener = "listener";
    public const string SpoolWritable = "spool";
    public const string SpoolRecovery = "recovery";
    public const string Storage = "storage";
    public const string Uploads = "uploads";

    /// <summary>Every check, the storage probe included (at most one network call per check interval).</summary>
    public Task<HealthReport> CheckAllAsync(CancellationToken cancellationToken) => checks.CheckHealthAsync(cancellationToken);

    /// <summary>Only the checks readiness requires: local facts, no network.</summary>
    public Task<HealthReport> CheckReadinessAsync(CancellationToken cancellationToken) =>
        checks.CheckHealthAsync(registration => registration.Tags.Contains(ReadyTag), cancellationToken);

    /// <summary>Whether <paramref name="report"/> says ready: no check readiness requires is unhealthy.</summary>
    public static bool IsReady(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Entries.Values.Where(IsRequired).All(entry => entry.Status != HealthStatus.Unhealthy);
    }

    /// <summary>Whether readiness requires the check behind <paramref name="entry"/>.</summary>
    public static bool IsRequired(HealthReportEntry entry) => entry.Tags.Contains(ReadyTag);

    /// <summary>One line for people (systemd's STATUS=, the log): what readiness waits for, or that it is ready.</summary>
    public static string Summary(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var failing = report.Entries.Where(entry => IsRequired(entry.Value) && entry.Value.Status == HealthStatus.Unhealthy)
            .Select(entry => entry.Key + ": " + entry.Value.Description)
            .ToList();
        if (failing.Count > 0)
        {
            return "not ready, waiting for " + string.Join("; ", failing);
        }

        var degraded = report.Entries.Where(entry => entry.Value.Status == HealthStatus.Degraded)
            .Select(entry => entry.Key + ": " + entry.Value.Description)
            .ToList();
        var listener = report.Entries.TryGetValue(Listener, out var listening) ? listening.Description : null;
        return "ready" + (listener is null ? "" : ", " + listener) + (degraded.Count == 0 ? "" : "; degraded: " + string.Join("; ", degraded));
    }
}
