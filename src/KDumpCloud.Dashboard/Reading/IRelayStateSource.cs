namespace KDumpCloud.Dashboard.Reading;

/// <summary>What a host that is a relay can tell the overview about itself (its readiness and health checks, its spool,
/// its backlog). Optional: the Azure app has none, and the overview then says only what the store knows.</summary>
public interface IRelayStateSource
{
    Task<IReadOnlyList<RelayStateItem>> ReadAsync(CancellationToken cancellationToken);
}
