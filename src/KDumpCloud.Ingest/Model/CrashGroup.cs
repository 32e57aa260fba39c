using System.Text.Json;

namespace KDumpCloud.Ingest.Model;

/// <summary>Every occurrence of one bug: one per fingerprint, unless a person merged fingerprints together.</summary>
public sealed record CrashGroup
{
    /// <summary>The fingerprint hash that created the group; stable for its life.</summary>
    public required string Id { get; init; }

    public required string FingerprintVersion { get; init; }

    public required string Signature { get; init; }

    /// <summary>Why its first occurrence got this fingerprint (<see cref="Occurrence.FingerprintExplanation"/>).</summary>
    public IReadOnlyList<string> Explanation { get; init; } = [];

    public required string Kind { get; init; }

    public string? Culprit { get; init; }

    public required GroupStatus Status { get; init; }

    /// <summary>For a merged group, the group that takes its occurrences.</summary>
    public string? MergedInto { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastSeen { get; init; }

    public required long Count { get; init; }

    /// <summary>Distinct Macs (by address), at most <see cref="Grouping.GroupFolding.MaxListEntries"/>; see
    /// <see cref="MachinesSaturated"/>.</summary>
    public IReadOnlyList<string> Machines { get; init; } = [];

    public IReadOnlyList<string> OsBuilds { get; init; } = [];

    public IReadOnlyList<string> Kernels { get; init; } = [];

    /// <summary>True once a list above is full: later distinct values are not listed (the count stays exact).</summary>
    public bool MachinesSaturated { get; init; }

    /// <summary>One occurrence to look at first (the first recorded).</summary>
    public required Guid SampleDumpId { get; init; }

    /// <summary>When the status last changed, by a person or a regression.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>The panic message of the group's first occurrence, at most <see cref="MaxMessageLength"/> characters:
    /// what the dashboard shows beside the signature and searches.</summary>
    public string? Message { get; init; }

    /// <summary>Most characters of <see cref="Message"/> kept on the group.</summary>
    public const int MaxMessageLength = 500;

    /// <summary>Occurrences per UTC day over the last <see cref="Grouping.DailyCounts.Days"/> days the group was seen,
    /// oldest first (<see cref="Grouping.DailyCounts"/>). Empty for a group recorded before the list existed, until
    /// <c>crashes regroup --apply</c> refolds it.</summary>
    public IReadOnlyList<DayCount> DailyCounts { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, IngestJsonContext.Default.CrashGroup);
}
