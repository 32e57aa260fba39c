using KDumpCloud.Relay.Transfers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Operations;

/// <summary>Ready requires it: the UDP socket is bound and its receive loop runs (a write request sent now is
/// answered; one sent between the bind and the loop's start waits in the socket's buffer).</summary>
internal sealed class ListenerHealthCheck(KdumpListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bound = listener.LocalEndPoint;
        if (!bound.IsCompletedSuccessfully)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(bound.IsFaulted
                ? "cannot listen: " + bound.Exception!.GetBaseException().Message
                : "the UDP socket is not bound yet"));
        }

        var endPoint = bound.Result.ToString();
        var data = new Dictionary<string, object> { ["endPoint"] = endPoint };
        return Task.FromResult(listener.ExecuteTask is { IsCompleted: false }
            ? HealthCheckResult.Healthy("listening on UDP " + endPoint, data)
            : HealthCheckResult.Unhealthy("not receiving on UDP " + endPoint + " (stopped)", data: data));
    }
}
