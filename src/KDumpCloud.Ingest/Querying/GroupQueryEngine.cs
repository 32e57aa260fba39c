using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Querying;

/// <summary>
/// The dashboard's queries over a store's live groups, in memory and pure, shared by every <see cref="Ports.ICrashQueries"/>
/// adapter so that they agree. Linear in the number of groups (a sort of the matches, then one page), which is what a
/// lab's thousands of groups afford; the stores decide how they get the groups (SQLite keeps them in memory between
/// changes, Table Storage reads its one groups partition).
/// </summary>
public static class GroupQueryEngine
{
    /// <summary>Days the overview's series covers.</summary>
    public const int OverviewDays = 30;

    /// <summary>Groups each overview list shows.</summary>
    public const int OverviewListLength = 10;

    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    /// <summary>The page of <paramref name="groups"/> that <paramref name="query"/> asks for; merged groups are left out.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative offset, or a limit outside 1 to <see cref="GroupQuery.MaxLimit"/>.</exception>
    public static GroupPage Query(IEnumerable<CrashGroup> groups, GroupQuery query)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, GroupQuery.MaxLimit);

        var live = groups.Where(g => g.Status != GroupStatus.Merged).ToList();
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : query.Text.Trim();
        if (text is { Length: > GroupQuery.MaxTextLength })
        {
            text = text[..GroupQuery.MaxTextLength];
        }

        var matches = live.Where(g =>
                (query.Status is null || g.Status == query.Status)
                && (query.Kind is null || string.Equals(g.Kind, query.Kind, StringComparison.Ordinal))
                && (query.OsBuild is null || g.OsBuilds.Contains(query.OsBuild, StringComparer.Ordinal))
                && (text is null || Contains(g, text)))
            .ToList();
        // Order + Skip + Take sorts only as far as the page needs (a partial sort), not every match.
        var page = matches.Order(Comparer<CrashGroup>.Create(Comparer(query.Sort))).Skip(query.Offset).Take(query.Limit).ToList();
        return new GroupPage(matches.Count, query.Offset, page, Facet(live.Select(g => g.Kind)), Facet(live.SelectMany(g => g.OsBuilds)));
    }

    /// <summary>The overview of <paramref name="groups"/> as of <paramref name="now"/>.</summary>
    public static CrashOverview Overview(IEnumerable<CrashGroup> groups, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var live = groups.Where(g => g.Status != GroupStatus.Merged).ToList();
        var today = DailyCounts.DayOf(now);
        var perDay = new long[OverviewDays];
        var weekly = new List<RankedGroup>();
        foreach (var group in live)
        {
            var series = DailyCounts.Series(group.DailyCounts, today, OverviewDays);
            for (var i = 0; i < series.Length; i++)
            {
                perDay[i] += series[i];
            }

            var lastWeek = series.AsSpan(OverviewDays - 7).ToArray().Sum();
            if (lastWeek > 0)
            {
                weekly.Add(new RankedGroup(group, lastWeek));
            }
        }

        var newThisWeek = live.Where(g => g.FirstSeen > now - Week).OrderByDescending(g => g.FirstSeen).ThenBy(g => g.Id, StringComparer.Ordinal).ToList();
        var top = weekly.OrderByDescending(r => r.Occurrences).ThenByDescending(r => r.Group.LastSeen).ThenBy(r => r.Group.Id, StringComparer.Ordinal)
            .Take(OverviewListLength).ToList();
        var last = live.OrderByDescending(g => g.LastSeen).ThenBy(g => g.Id, StringComparer.Ordinal).FirstOrDefault();
        return new CrashOverview(now, perDay, live.Count, live.Count(g => g.Status == GroupStatus.Open), live.Sum(g => g.Count),
            [.. newThisWeek.Take(OverviewListLength)], newThisWeek.Count, top, last);
    }

    /// <summary>When a group last became something to look at: its status change while open (created, regressed or
    /// reopened), else never.</summary>
    public static DateTimeOffset NewsAt(CrashGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Status == GroupStatus.Open ? group.StatusChangedAt ?? group.FirstSeen : DateTimeOffset.MinValue;
    }

    private static bool Contains(CrashGroup group, string text) =>
        group.Signature.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (group.Message?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (group.Culprit?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || group.Id.StartsWith(text, StringComparison.OrdinalIgnoreCase);

    private static Comparison<CrashGroup> Comparer(GroupSort sort) => sort switch
    {
        GroupSort.LastSeen => (a, b) => Then(b.LastSeen.CompareTo(a.LastSeen), b.Count.CompareTo(a.Count), a, b),
        GroupSort.Count => (a, b) => Then(b.Count.CompareTo(a.Count), b.LastSeen.CompareTo(a.LastSeen), a, b),
        GroupSort.Machines => (a, b) => Then(b.Machines.Count.CompareTo(a.Machines.Count), b.Count.CompareTo(a.Count), a, b),
        GroupSort.FirstSeen => (a, b) => Then(b.FirstSeen.CompareTo(a.FirstSeen), b.LastSeen.CompareTo(a.LastSeen), a, b),
        _ => (a, b) => Then(NewsAt(b).CompareTo(NewsAt(a)), b.LastSeen.CompareTo(a.LastSeen), a, b),
    };

    private static int Then(int first, int second, CrashGroup a, CrashGroup b) =>
        first != 0 ? first : second != 0 ? second : string.CompareOrdinal(a.Id, b.Id);

    private static List<FacetValue> Facet(IEnumerable<string> values) => values
        .GroupBy(v => v, StringComparer.Ordinal)
        .Select(g => new FacetValue(g.Key, g.Count()))
        .OrderByDescending(f => f.Groups).ThenBy(f => f.Value, StringComparer.Ordinal)
        .ToList();
}
