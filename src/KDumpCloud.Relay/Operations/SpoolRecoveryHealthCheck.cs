using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Operations;

/// <summary>Ready requires it: every dump a stopped relay left behind has a truthful journal (SpoolRecovery ran).</summary>
internal sealed class SpoolRecoveryHealthCheck(SpoolRecoveryMark recovery) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(recovery.IsDone
            ? HealthCheckResult.Healthy("done")
            : HealthCheckResult.Unhealthy("in progress"));
}
