using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Regrouping;

/// <summary>
/// What a regrouping writes, computed by <see cref="RegroupPlanner"/> and applied by a store in one go
/// (<see cref="Ports.ICrashStore.ApplyRegroupAsync"/>): every group whose row changes, in its final state, the
/// occurrences that move, and the groups left with nothing to hold.
/// </summary>
/// <param name="Groups">Groups to write whole: the new version's groups (with the status their occurrences' old groups
/// had), the old groups now merged into them (so links and late messages with an old fingerprint still land), and old
/// groups that keep some occurrences, recounted.</param>
/// <param name="Moves">Occurrences whose group or identity changes, as they are to be stored.</param>
/// <param name="Deleted">Ids of the well-known groups (<see cref="WellKnownGroups"/>) left empty.</param>
public sealed record RegroupPlan(IReadOnlyList<CrashGroup> Groups, IReadOnlyList<OccurrenceMove> Moves, IReadOnlyList<string> Deleted)
{
    public bool IsEmpty => Groups.Count == 0 && Moves.Count == 0 && Deleted.Count == 0;
}

/// <summary>An occurrence that changes group or identity: <see cref="From"/> is the group it was counted in (a store with
/// an index per group removes it there), <see cref="Occurrence"/> its new state.</summary>
public sealed record OccurrenceMove(string From, Occurrence Occurrence);
