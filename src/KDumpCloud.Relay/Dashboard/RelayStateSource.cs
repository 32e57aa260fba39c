using System.Globalization;
using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Dashboard;

/// <summary>
/// What the relay's overview says about the relay itself: whether it is ready and each health check, from the same
/// checks as <c>/health/ready</c> and systemd (<see cref="RelayHealth"/>, one place decides readiness), then its spool
/// from the spool's own counters.
/// </summary>
internal sealed class RelayStateSource(RelayHealth health, DumpSpool spool) : IRelayStateSource
{
    public async Task<IReadOnlyList<RelayStateItem>> ReadAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckAllAsync(cancellationToken).ConfigureAwait(false);
        var ready = RelayHealth.IsReady(report);
        var items = new List<RelayStateItem>
        {
            new("Ready", ready ? "yes" : RelayHealth.Summary(report), ready ? RelayStateLevel.Ok : RelayStateLevel.Failing),
        };
        items.AddRange(report.Entries.Select(entry => new RelayStateItem(Label(entry.Key), entry.Value.Description ?? "", Level(entry.Value))));
        items.Add(new("Dumps in the spool", spool.Count.ToString(CultureInfo.InvariantCulture) + " (" + Gib(spool.UsedBytes) + ")"));
        items.Add(new("Free disk", Gib(spool.AvailableDiskBytes)));
        if (!report.Entries.ContainsKey(RelayHealth.Uploads))
        {
            items.Add(new("Upload backlog", "none: this relay ingests its dumps itself (no KDumpStorage)"));
        }

        return items;
    }

    private static string Label(string check) => check switch
    {
        RelayHealth.Listener => "UDP listener",
        RelayHealth.SpoolWritable => "Spool writable",
        RelayHealth.SpoolRecovery => "Spool recovery",
        RelayHealth.Storage => "Storage",
        RelayHealth.Uploads => "Uploads",
        _ => check,
    };

    private static RelayStateLevel Level(HealthReportEntry entry) => entry.Status switch
    {
        HealthStatus.Healthy => RelayStateLevel.Ok,
        HealthStatus.Degraded => RelayStateLevel.Degraded,
        _ => RelayHealth.IsRequired(entry) ? RelayStateLevel.Failing : RelayStateLevel.Degraded,
    };

    private static string Gib(long bytes) => (bytes / 1073741824.0).ToString("0.##", CultureInfo.InvariantCulture) + " GiB";
}
