using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Querying;

/// <summary>The lab at a glance, from the live groups.</summary>
/// <param name="Now">When it was computed; the day series end on its UTC day.</param>
/// <param name="CrashesPerDay">Occurrences per UTC day over the last <see cref="GroupQueryEngine.OverviewDays"/> days,
/// oldest first (from every live group's <see cref="CrashGroup.DailyCounts"/>).</param>
/// <param name="Groups">Live groups.</param>
/// <param name="OpenGroups">Live groups with status open.</param>
/// <param name="Occurrences">Occurrences in live groups (every one ever recorded, merges included).</param>
/// <param name="NewThisWeek">Groups first seen in the last 7 days, newest first (at most
/// <see cref="GroupQueryEngine.OverviewListLength"/>).</param>
/// <param name="NewThisWeekCount">How many groups were first seen in the last 7 days.</param>
/// <param name="TopThisWeek">The groups with most occurrences in the last 7 UTC days, with that number.</param>
/// <param name="LastCrash">The group seen most recently, if any.</param>
public sealed record CrashOverview(DateTimeOffset Now, IReadOnlyList<long> CrashesPerDay, int Groups, int OpenGroups, long Occurrences,
    IReadOnlyList<CrashGroup> NewThisWeek, int NewThisWeekCount, IReadOnlyList<RankedGroup> TopThisWeek, CrashGroup? LastCrash);

/// <summary>A group and its occurrences in the period a ranking covers.</summary>
public sealed record RankedGroup(CrashGroup Group, long Occurrences);
