using KDumpCloud.Ingest.Alerts;

namespace KDumpCloud.Ingest.Ports;

/// <summary>
/// The alert outbox, dispatcher side: alerts decided when their occurrence was recorded (one per dump at most, keyed
/// by dump id; the stores write them in the same recording), and per sink a delivery record of what became of each.
/// Two adapters: SQLite (tables in <c>crashes.db</c>) and Table Storage (an <c>alerts</c> table).
/// </summary>
public interface IAlertOutbox
{
    /// <summary>Alerts recorded at or after <paramref name="since"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AlertNotice>> ListAlertsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);

    /// <summary>One sink's delivery records of the alerts recorded at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(string sinkId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Writes (inserts or replaces) one sink's delivery records.</summary>
    Task SaveDeliveriesAsync(string sinkId, IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Deletes alerts recorded before <paramref name="before"/> and their delivery records; returns how many alerts.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
