using System.Text.Json;
using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Regrouping;

/// <summary>
/// Maps a store's groups onto the groups a new fingerprint version gives, keeping what people did. Pure: it sees every
/// group and every occurrence (with its new identity) and returns what to write.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Keys.</b> An occurrence's new key is its new fingerprint; one that could not be decoded again keeps its old
/// one.</item>
/// <item><b>Merges people made are kept.</b> The occurrences a live group holds came from one or more old
/// fingerprints (more than one when a person merged groups). Each old fingerprint's main new key (the one most of its
/// occurrences got) is joined with the others of the same live group, so what a person merged stays together; the
/// joined keys become one group (the key with most occurrences) with the others merged into it, so later occurrences of
/// any of them count there. Well-known groups (no panic, failed) are never joined to anything.</item>
/// <item><b>Statuses are kept.</b> A new group takes the status of the old groups its occurrences were counted in: open
/// if any was open, else resolved if any was, else ignored. A resolved crash stays resolved, so a regrouping neither
/// resurrects nor re-announces it; nothing here is an occurrence being recorded, so nothing alerts.</item>
/// <item><b>Old links keep working.</b> An old group left without occurrences is merged into the new group that took
/// most of them (one hop), so a URL or a message with the old fingerprint still lands. Counts, first and last seen and
/// the lists are refolded from the occurrences (<see cref="GroupFolding.Fold"/>); an occurrence keeps its time, Mac,
/// warnings and its outcome when it was recorded.</item>
/// <item><b>Idempotent.</b> Planning again after applying gives an empty plan; a plan cut short by a crash is completed
/// by planning and applying again.</item>
/// </list>
/// </remarks>
public static class RegroupPlanner
{
    private const int MaxMergeHops = 16;

    /// <summary>Plans a regrouping of <paramref name="groups"/> (every row, merged ones too) given each occurrence's
    /// new identity (<see cref="Reidentified.New"/> null: keep it as it is).</summary>
    public static (RegroupPlan Plan, RegroupSummary Summary) Plan(IReadOnlyCollection<CrashGroup> groups, IReadOnlyList<Reidentified> occurrences,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(occurrences);
        var byId = groups.ToDictionary(g => g.Id, StringComparer.Ordinal);
        var items = occurrences.Select(o => new Item(o, Live(byId, o.Stored.GroupId), KeyOf(o))).ToList();

        var keys = new UnionFind();
        foreach (var item in items)
        {
            keys.Add(item.Key);
        }

        JoinWhatPeopleMerged(items, keys);
        var classes = items.GroupBy(i => keys.Find(i.Key), StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.ToList(), StringComparer.Ordinal);
        var repOf = classes.ToDictionary(c => c.Key, c => Representative(c.Value), StringComparer.Ordinal);
        string RepOfKey(string key) => repOf[keys.Find(key)];

        var written = new List<CrashGroup>();
        var summary = new RegroupSummary { Scanned = items.Count };
        foreach (var (root, members) in classes)
        {
            var rep = repOf[root];
            var (status, changedAt) = StatusOf(members.Select(m => m.Source).Distinct(StringComparer.Ordinal), byId);
            written.Add(Folded(rep, members, now) with { Status = status, StatusChangedAt = changedAt, MergedInto = null });
            foreach (var key in members.Select(m => m.Key).Distinct(StringComparer.Ordinal).Where(k => k != rep))
            {
                var existing = byId.GetValueOrDefault(key);
                var keepTime = existing is { Status: GroupStatus.Merged } && existing.MergedInto == rep;
                written.Add(Folded(key, members.Where(m => m.Key == key).ToList(), now) with
                {
                    Status = GroupStatus.Merged,
                    MergedInto = rep,
                    StatusChangedAt = keepTime ? existing!.StatusChangedAt : now,
                });
            }

            var sources = members.Select(m => m.Source).Distinct(StringComparer.Ordinal).Where(s => s != rep).ToList();
            if (sources.Count > 1)
            {
                summary.Joined.Add($"{rep}: {members.Count} occurrences from {sources.Count} groups ({string.Join(", ", sources.Select(s => Describe(s, byId)))})");
            }
        }

        // Where each old live group's occurrences went: the group that took most of them is where its id now points.
        var keyIds = written.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var targetOfLive = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in items.GroupBy(i => i.Source, StringComparer.Ordinal))
        {
            var destinations = source.GroupBy(i => RepOfKey(i.Key), StringComparer.Ordinal)
                .OrderByDescending(d => d.Count()).ThenBy(d => d.Key, StringComparer.Ordinal).ToList();
            targetOfLive[source.Key] = destinations[0].Key;
            if (destinations.Count > 1 && !WellKnownGroups.IsWellKnown(source.Key))
            {
                summary.Split.Add($"{Describe(source.Key, byId)} went to {destinations.Count} groups; most to {destinations[0].Key}");
            }
        }

        var deleted = new List<string>();
        foreach (var group in groups.Where(g => !keyIds.Contains(g.Id)))
        {
            if (WellKnownGroups.IsWellKnown(group.Id))
            {
                deleted.Add(group.Id);
                continue;
            }

            var live = Live(byId, group.Id);
            var target = targetOfLive.GetValueOrDefault(live) ?? (keyIds.Contains(live) ? RepOfKey(live) : null);
            if (target is not null && (group.Status != GroupStatus.Merged || group.MergedInto != target))
            {
                written.Add(group with { Status = GroupStatus.Merged, MergedInto = target, StatusChangedAt = now });
            }
        }

        var changedGroups = written.Where(g => !byId.TryGetValue(g.Id, out var before) || !SameJson(before, g)).ToList();
        var moves = new List<OccurrenceMove>();
        foreach (var item in items)
        {
            var moved = (item.Occurrence.New ?? item.Occurrence.Stored) with { GroupId = RepOfKey(item.Key), PanicText = null };
            if (!SameJson(item.Occurrence.Stored with { PanicText = null }, moved))
            {
                moves.Add(new OccurrenceMove(item.Occurrence.Stored.GroupId, moved));
            }
        }

        var final = new Dictionary<string, CrashGroup>(byId, StringComparer.Ordinal);
        foreach (var group in written)
        {
            final[group.Id] = group;
        }

        deleted.ForEach(id => final.Remove(id));
        summary.GroupsBefore = groups.Count(g => g.Status != GroupStatus.Merged);
        summary.GroupsAfter = final.Values.Count(g => g.Status != GroupStatus.Merged);
        summary.Moved = moves.Count;
        summary.GroupsWritten = changedGroups.Count;
        return (new RegroupPlan(changedGroups, moves, deleted), summary);
    }

    /// <summary>The group an id's occurrences count in now (following merges), or the id itself when it has no row.</summary>
    private static string Live(Dictionary<string, CrashGroup> byId, string id)
    {
        var current = id;
        for (var hops = 0; hops < MaxMergeHops && byId.TryGetValue(current, out var group) && group is { Status: GroupStatus.Merged, MergedInto: { } next }; hops++)
        {
            current = next;
        }

        return current;
    }

    private static string KeyOf(Reidentified occurrence) => occurrence.New?.Fingerprint ?? occurrence.Stored.Fingerprint;

    /// <summary>Joins, per live group, the main new key of each old fingerprint it holds (see the remarks).</summary>
    private static void JoinWhatPeopleMerged(List<Item> items, UnionFind keys)
    {
        foreach (var live in items.Where(i => !WellKnownGroups.IsWellKnown(i.Source)).GroupBy(i => i.Source, StringComparer.Ordinal))
        {
            string? first = null;
            foreach (var oldFingerprint in live.Where(i => !WellKnownGroups.IsWellKnown(i.Occurrence.Stored.Fingerprint))
                .GroupBy(i => i.Occurrence.Stored.Fingerprint, StringComparer.Ordinal))
            {
                var main = oldFingerprint.GroupBy(i => i.Key, StringComparer.Ordinal)
                    .OrderByDescending(k => k.Count()).ThenBy(k => k.Key, StringComparer.Ordinal).First().Key;
                if (WellKnownGroups.IsWellKnown(main))
                {
                    continue;
                }

                if (first is null)
                {
                    first = main;
                }
                else
                {
                    keys.Union(first, main);
                }
            }
        }
    }

    /// <summary>The key a joined class is known by: the one with most occurrences, then the newest version, then by id.</summary>
    private static string Representative(List<Item> members) => members
        .GroupBy(m => m.Key, StringComparer.Ordinal)
        .OrderByDescending(k => k.Count())
        .ThenByDescending(k => k.Any(m => m.Occurrence.New is not null))
        .ThenBy(k => k.Key, StringComparer.Ordinal)
        .First().Key;

    private static (GroupStatus Status, DateTimeOffset? ChangedAt) StatusOf(IEnumerable<string> sources, Dictionary<string, CrashGroup> byId)
    {
        var known = sources.Select(s => byId.GetValueOrDefault(s)).OfType<CrashGroup>().Where(g => g.Status != GroupStatus.Merged).ToList();
        foreach (var status in (GroupStatus[])[GroupStatus.Open, GroupStatus.Resolved, GroupStatus.Ignored])
        {
            var with = known.Where(g => g.Status == status).ToList();
            if (with.Count > 0)
            {
                return (status, with.Max(g => g.StatusChangedAt));
            }
        }

        return (GroupStatus.Open, known.Count == 0 ? null : known.Max(g => g.StatusChangedAt));
    }

    /// <summary>A group with id <paramref name="id"/> as its occurrences make it, oldest first.</summary>
    private static CrashGroup Folded(string id, List<Item> members, DateTimeOffset now)
    {
        CrashGroup? group = null;
        foreach (var member in members.OrderBy(m => m.Occurrence.Stored.ReceivedAt).ThenBy(m => m.Occurrence.Stored.DumpId))
        {
            var occurrence = (member.Occurrence.New ?? member.Occurrence.Stored) with { GroupId = id };
            (group, _) = GroupFolding.Fold(group, occurrence, now);
        }

        return group!;
    }

    private static string Describe(string id, Dictionary<string, CrashGroup> byId) =>
        byId.TryGetValue(id, out var group) ? $"{id} {group.Status.ToString().ToLowerInvariant()}, {group.Count}" : id;

    private static bool SameJson(CrashGroup a, CrashGroup b) =>
        JsonSerializer.Serialize(a, IngestJsonContext.Default.CrashGroup) == JsonSerializer.Serialize(b, IngestJsonContext.Default.CrashGroup);

    private static bool SameJson(Occurrence a, Occurrence b) =>
        JsonSerializer.Serialize(a, IngestJsonContext.Default.Occurrence) == JsonSerializer.Serialize(b, IngestJsonContext.Default.Occurrence);

    private sealed record Item(Reidentified Occurrence, string Source, string Key);

    /// <summary>Disjoint sets of keys, with path halving; the smaller id wins a union so results do not depend on order.</summary>
    private sealed class UnionFind
    {
        private readonly Dictionary<string, string> _parent = new(StringComparer.Ordinal);

        public void Add(string key) => _parent.TryAdd(key, key);

        public string Find(string key)
        {
            while (_parent[key] != key)
            {
                _parent[key] = _parent[_parent[key]];
                key = _parent[key];
            }

            return key;
        }

        public void Union(string a, string b)
        {
            var (x, y) = (Find(a), Find(b));
            if (x == y)
            {
                return;
            }

            if (string.CompareOrdinal(x, y) < 0)
            {
                _parent[y] = x;
            }
            else
            {
                _parent[x] = y;
            }
        }
    }
}
