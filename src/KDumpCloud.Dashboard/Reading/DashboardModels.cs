using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Querying;

namespace KDumpCloud.Dashboard.Reading;

// What the pages render and the JSON API returns: one model each, so the API is exactly what the pages show.

/// <summary>A group as a row of the list.</summary>
/// <param name="Trend">Occurrences per UTC day over the last <see cref="DashboardReader.TrendDays"/> days, oldest first,
/// ending today.</param>
public sealed record GroupRow(string Fingerprint, string Signature, string Kind, string? Culprit, string? Message, GroupStatus Status,
    long Count, int Machines, bool MachinesSaturated, IReadOnlyList<string> OsBuilds, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    IReadOnlyList<long> Trend);

/// <summary>One page of the group list and what it can be filtered on.</summary>
public sealed record GroupList(GroupQuery Query, int Total, IReadOnlyList<GroupRow> Groups, IReadOnlyList<FacetValue> Kinds,
    IReadOnlyList<FacetValue> OsBuilds);

/// <summary>An occurrence as a group page lists it.</summary>
/// <param name="DumpUrl">The dashboard's download link for its dump (relative).</param>
public sealed record OccurrenceRow(Guid DumpId, DateTimeOffset ReceivedAt, string Machine, string Client, string? Model, string? OsBuild,
    string? KernelVersion, bool Complete, OccurrenceStatus Status, IngestOutcome? Outcome, string? RegressionReason, string FileName,
    long DumpSize, string? RelayHost, IReadOnlyList<string> Warnings, string DumpUrl);

/// <summary>A frame of the decoded backtrace.</summary>
public sealed record FrameRow(string ReturnAddress, string? Kext, string? Offset, string? Symbol);

/// <summary>A kext named in the decoded backtrace.</summary>
public sealed record KextRow(string BundleId, string? Version, string? Uuid);

/// <summary>One occurrence's panic decoded again from its kept text, and what its fingerprint was made of.</summary>
/// <param name="DumpId">The occurrence it was decoded from.</param>
/// <param name="FingerprintComponents">Exactly what went into the fingerprint hash (<c>version=…</c>, <c>kind=…</c>,
/// <c>template=…</c>, <c>culprit=…</c>, <c>frames=…</c>).</param>
/// <param name="Explanation">The fingerprinter's own account of why these parts, one line per rule it applied: why
/// occurrences were grouped together.</param>
public sealed record DecodedPanic(Guid DumpId, string? PanicMessage, string Kind, string? Culprit, string? CulpritReason,
    IReadOnlyList<FrameRow> Frames, IReadOnlyList<KextRow> Kexts, IReadOnlyList<string> FingerprintComponents, IReadOnlyList<string> Explanation,
    IReadOnlyList<string> Warnings);

/// <summary>Everything a group page shows.</summary>
/// <param name="Daily">Occurrences per UTC day over the last <see cref="DashboardReader.ChartDays"/> days, ending today.</param>
/// <param name="ChartEnd">The last day of <paramref name="Daily"/>.</param>
/// <param name="Panic">The panic decoded from the group's sample (or newest) occurrence, when its text was kept.</param>
public sealed record GroupDetails(GroupRow Group, string FingerprintVersion, IReadOnlyList<string> Machines, IReadOnlyList<string> Kernels,
    DateTimeOffset? StatusChangedAt, IReadOnlyList<long> Daily, DateOnly ChartEnd, DecodedPanic? Panic, IReadOnlyList<OccurrenceRow> Occurrences,
    int MaxOccurrences);

/// <summary>The overview page.</summary>
/// <param name="CrashesPerDay">Occurrences per UTC day over the last 30 days, oldest first, ending on <paramref name="ChartEnd"/>.</param>
/// <param name="LastCrash">The newest occurrence recorded, if any: when the relay last passed on a dump that held a crash.</param>
/// <param name="Relay">The relay's own state where the host knows it (the embedded relay: its readiness, each health
/// check, its spool), else empty.</param>
public sealed record OverviewModel(DateTimeOffset Now, IReadOnlyList<long> CrashesPerDay, DateOnly ChartEnd, int Groups, int OpenGroups,
    long Occurrences, int NewThisWeekCount, IReadOnlyList<GroupRow> NewThisWeek, IReadOnlyList<RankedRow> TopThisWeek,
    OccurrenceRow? LastCrash, string? LastCrashGroup, IReadOnlyList<RelayStateItem> Relay);

/// <summary>A group and its occurrences over the last 7 days.</summary>
public sealed record RankedRow(GroupRow Group, long LastWeek);

/// <summary>One fact about the relay, as its host reports it.</summary>
/// <param name="Level">How the fact stands, for a health check; <see cref="RelayStateLevel.Info"/> for a plain figure.</param>
public sealed record RelayStateItem(string Name, string Value, RelayStateLevel Level = RelayStateLevel.Info);

/// <summary>How a fact about the relay stands: the page marks it with a word and a colour.</summary>
public enum RelayStateLevel
{
    /// <summary>A figure, neither good nor bad.</summary>
    Info,

    /// <summary>A check that passes.</summary>
    Ok,

    /// <summary>A check that fails without stopping the relay from taking panics (storage unreachable: dumps wait).</summary>
    Degraded,

    /// <summary>A check readiness requires that fails: the relay is not ready.</summary>
    Failing,
}
