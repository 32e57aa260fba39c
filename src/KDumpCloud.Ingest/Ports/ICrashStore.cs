using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Regrouping;

namespace KDumpCloud.Ingest.Ports;

/// <summary>
/// Crash groups and occurrences. Two adapters (Table Storage, SQLite) pass one shared test suite. Recording is
/// idempotent by dump id and never loses a count under concurrency; the grouping rule itself is
/// <see cref="Grouping.GroupFolding"/>, which every adapter applies.
/// </summary>
public interface ICrashStore
{
    /// <summary>
    /// Records <paramref name="occurrence"/> (its <see cref="Occurrence.GroupId"/> is the fingerprint's group; merges are
    /// followed here) and counts it in its group exactly once, however often or concurrently it is called for the
    /// same dump id.
    /// </summary>
    Task<RecordResult> RecordAsync(Occurrence occurrence, CancellationToken cancellationToken = default);

    Task<CrashGroup?> FindGroupAsync(string groupId, CancellationToken cancellationToken = default);

    /// <summary>Groups, merged ones left out, in <paramref name="order"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<CrashGroup>> ListGroupsAsync(GroupOrder order, int limit, CancellationToken cancellationToken = default);

    Task<Occurrence?> FindOccurrenceAsync(Guid dumpId, CancellationToken cancellationToken = default);

    /// <summary>A group's occurrences, newest first, at most <paramref name="limit"/>; a merged-into group includes
    /// those of the groups merged into it.</summary>
    Task<IReadOnlyList<Occurrence>> ListOccurrencesAsync(string groupId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Sets a group's status (open, resolved, ignored); null when there is no such group.</summary>
    /// <exception cref="InvalidOperationException">The group is merged (change the group it was merged into).</exception>
    Task<CrashGroup?> SetStatusAsync(string groupId, GroupStatus status, CancellationToken cancellationToken = default);

    /// <summary>Merges <paramref name="fromGroupId"/> into <paramref name="intoGroupId"/>: the second's counts and
    /// lists fold into the first, and later occurrences of either fingerprint count in the first.</summary>
    /// <exception cref="InvalidOperationException">Either group is missing or merged, or they are the same.</exception>
    Task<CrashGroup> MergeAsync(string intoGroupId, string fromGroupId, CancellationToken cancellationToken = default);

    /// <summary>Every group, merged ones included, in no particular order (for regrouping).</summary>
    IAsyncEnumerable<CrashGroup> ScanGroupsAsync(CancellationToken cancellationToken = default);

    /// <summary>Every recorded occurrence with its <see cref="Occurrence.PanicText"/>, in no particular order (for
    /// regrouping).</summary>
    IAsyncEnumerable<Occurrence> ScanOccurrencesAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes a regrouping (<see cref="RegroupPlanner"/>): groups whole, occurrences moved, empty well-known
    /// groups removed. Applying the same plan again changes nothing.</summary>
    Task ApplyRegroupAsync(RegroupPlan plan, CancellationToken cancellationToken = default);
}
