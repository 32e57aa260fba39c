using System.Globalization;
using KDumpCloud.Relay.Upload;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Operations;

/// <summary>Reported, not required for ready: the uploader's backlog and its storage circuit, degraded while the
/// circuit is open (storage calls then wait; dumps keep arriving in the spool).</summary>
internal sealed class UploadsHealthCheck(StorageResilience resilience, UploadBacklog backlog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (dumps, bytes) = backlog.Current;
        var broken = resilience.IsBroken;
        var data = new Dictionary<string, object>
        {
            ["circuit"] = broken ? "open" : "closed",
            ["backlogDumps"] = dumps,
            ["backlogBytes"] = bytes,
        };
        var backlogText = dumps == 0
            ? "no backlog"
            : string.Create(CultureInfo.InvariantCulture, $"backlog {dumps} dumps, {bytes} bytes not yet uploaded");
        return Task.FromResult(broken
            ? new HealthCheckResult(context.Registration.FailureStatus, "storage circuit open; " + backlogText, data: data)
            : HealthCheckResult.Healthy("storage circuit closed; " + backlogText, data));
    }
}
