using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Querying;

/// <summary>Which live groups to list and how: every filter left null matches everything.</summary>
public sealed record GroupQuery
{
    /// <summary>Largest page a query returns.</summary>
    public const int MaxLimit = 500;

    /// <summary>Longest search text considered (longer is cut): a search is a substring test on each group.</summary>
    public const int MaxTextLength = 200;

    /// <summary>Only groups with this status (<see cref="GroupStatus.Merged"/> matches nothing: merged groups are
    /// never listed).</summary>
    public GroupStatus? Status { get; init; }

    /// <summary>Only groups of this panic kind (exact, e.g. <c>trap type 14=page fault</c>).</summary>
    public string? Kind { get; init; }

    /// <summary>Only groups seen on this OS build (exact, e.g. <c>24A335</c>).</summary>
    public string? OsBuild { get; init; }

    /// <summary>Only groups whose signature, panic message, culprit or fingerprint contains this text (any case).</summary>
    public string? Text { get; init; }

    public GroupSort Sort { get; init; } = GroupSort.Regressions;

    /// <summary>Groups skipped before the page starts.</summary>
    public int Offset { get; init; }

    /// <summary>Groups on the page, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;
}
