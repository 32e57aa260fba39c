using System.Globalization;
using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Dashboard;

/// <summary>What the relay's overview says about the relay itself: its spool, from the spool's own counters.</summary>
internal sealed class SpoolStateSource(DumpSpool spool) : IRelayStateSource
{
    public Task<IReadOnlyList<RelayStateItem>> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RelayStateItem>>(
        [
            new("Dumps in the spool", spool.Count.ToString(CultureInfo.InvariantCulture) + " (" + Gib(spool.UsedBytes) + ")"),
            new("Free disk", Gib(spool.AvailableDiskBytes)),
            new("Upload backlog", "none: this relay ingests its dumps itself (no KDumpStorage)"),
        ]);

    private static string Gib(long bytes) => (bytes / 1073741824.0).ToString("0.##", CultureInfo.InvariantCulture) + " GiB";
}
