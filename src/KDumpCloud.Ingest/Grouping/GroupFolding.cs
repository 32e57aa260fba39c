using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Grouping;

/// <summary>
/// The one rule for what an occurrence does to its group, shared by every store so that SQLite and Table Storage
/// group identically: the stores only persist the result under their own concurrency control.
/// </summary>
public static class GroupFolding
{
    /// <summary>Bound on each distinct-value list of a group (Macs, OS builds, kernels): a group row stays small
    /// however often it is seen (a Table entity is limited to 1 MiB).</summary>
    public const int MaxListEntries = 100;

    /// <summary>Folds <paramref name="occurrence"/> into <paramref name="group"/> (null: it starts a new group), at
    /// <paramref name="now"/>. Returns the group to store and the occurrence with its outcome set.</summary>
    public static (CrashGroup Group, Occurrence Occurrence) Fold(CrashGroup? group, Occurrence occurrence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        if (group is null)
        {
            var created = new CrashGroup
            {
                Id = occurrence.GroupId,
                FingerprintVersion = occurrence.FingerprintVersion,
                Signature = occurrence.Signature,
                Explanation = occurrence.FingerprintExplanation,
                Kind = occurrence.Kind,
                Culprit = occurrence.Culprit,
                Status = GroupStatus.Open,
                FirstSeen = occurrence.ReceivedAt,
                LastSeen = occurrence.ReceivedAt,
                Count = 1,
                Machines = [occurrence.Machine],
                OsBuilds = occurrence.OsBuild is { } build ? [build] : [],
                Kernels = occurrence.KernelVersion is { } kernel ? [kernel] : [],
                SampleDumpId = occurrence.DumpId,
                StatusChangedAt = now,
                Message = occurrence.PanicMessage is { Length: > CrashGroup.MaxMessageLength } message
                    ? message[..(CrashGroup.MaxMessageLength - 1)] + "…"
                    : occurrence.PanicMessage,
                DailyCounts = DailyCounts.Add([], DailyCounts.DayOf(occurrence.ReceivedAt)),
            };
            return (created, occurrence with { Outcome = IngestOutcome.NewGroup, RecordedAt = now });
        }

        var (outcome, reason) = Classify(group, occurrence);
        var saturated = group.MachinesSaturated;
        var folded = group with
        {
            Status = outcome == IngestOutcome.Regression && group.Status == GroupStatus.Resolved ? GroupStatus.Open : group.Status,
            StatusChangedAt = outcome == IngestOutcome.Regression && group.Status == GroupStatus.Resolved ? now : group.StatusChangedAt,
            FirstSeen = occurrence.ReceivedAt < group.FirstSeen ? occurrence.ReceivedAt : group.FirstSeen,
            LastSeen = occurrence.ReceivedAt > group.LastSeen ? occurrence.ReceivedAt : group.LastSeen,
            Count = group.Count + 1,
            Machines = AddBounded(group.Machines, occurrence.Machine, ref saturated),
            OsBuilds = AddBounded(group.OsBuilds, occurrence.OsBuild, ref saturated),
            Kernels = AddBounded(group.Kernels, occurrence.KernelVersion, ref saturated),
            MachinesSaturated = saturated,
            DailyCounts = DailyCounts.Add(group.DailyCounts, DailyCounts.DayOf(occurrence.ReceivedAt)),
        };
        return (folded, occurrence with { Outcome = outcome, RegressionReason = reason, RecordedAt = now });
    }

    /// <summary>Folds <paramref name="absorbed"/> into <paramref name="into"/> (a person says they are one bug): counts add
    /// up, the seen range widens, the lists join (bounded). Returns the survivor and the merged group.</summary>
    /// <exception cref="InvalidOperationException">They are the same group, or either is already merged.</exception>
    public static (CrashGroup Into, CrashGroup Absorbed) Merge(CrashGroup into, CrashGroup absorbed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(absorbed);
        if (into.Id == absorbed.Id)
        {
            throw new InvalidOperationException($"group {into.Id} cannot be merged into itself");
        }

        if (into.Status == GroupStatus.Merged || absorbed.Status == GroupStatus.Merged)
        {
            var merged = into.Status == GroupStatus.Merged ? into : absorbed;
            throw new InvalidOperationException($"group {merged.Id} is already merged into {merged.MergedInto}; merge with that group instead");
        }

        var saturated = into.MachinesSaturated || absorbed.MachinesSaturated;
        var machines = absorbed.Machines.Aggregate(into.Machines, (list, value) => AddBounded(list, value, ref saturated));
        var builds = absorbed.OsBuilds.Aggregate(into.OsBuilds, (list, value) => AddBounded(list, value, ref saturated));
        var kernels = absorbed.Kernels.Aggregate(into.Kernels, (list, value) => AddBounded(list, value, ref saturated));
        var survivor = into with
        {
            Count = into.Count + absorbed.Count,
            FirstSeen = absorbed.FirstSeen < into.FirstSeen ? absorbed.FirstSeen : into.FirstSeen,
            LastSeen = absorbed.LastSeen > into.LastSeen ? absorbed.LastSeen : into.LastSeen,
            Machines = machines,
            OsBuilds = builds,
            Kernels = kernels,
            MachinesSaturated = saturated,
            DailyCounts = DailyCounts.Sum(into.DailyCounts, absorbed.DailyCounts),
        };
        return (survivor, absorbed with { Status = GroupStatus.Merged, MergedInto = into.Id, StatusChangedAt = now });
    }

    private static (IngestOutcome Outcome, string? Reason) Classify(CrashGroup group, Occurrence occurrence)
    {
        if (group.Status == GroupStatus.Ignored)
        {
            return (IngestOutcome.Repeat, null);
        }

        if (group.Status == GroupStatus.Resolved)
        {
            return (IngestOutcome.Regression, "seen again after it was resolved");
        }

        // A new OS build is news only when builds were known before and the list still says all of them.
        if (occurrence.OsBuild is { } build && group.OsBuilds.Count is > 0 and < MaxListEntries && !group.OsBuilds.Contains(build, StringComparer.Ordinal))
        {
            return (IngestOutcome.Regression, $"first seen on OS build {build}");
        }

        return (IngestOutcome.Repeat, null);
    }

    private static IReadOnlyList<string> AddBounded(IReadOnlyList<string> list, string? value, ref bool saturated)
    {
        if (value is null || list.Contains(value, StringComparer.Ordinal))
        {
            return list;
        }

        if (list.Count >= MaxListEntries)
        {
            saturated = true;
            return list;
        }

        return [.. list, value];
    }
}
