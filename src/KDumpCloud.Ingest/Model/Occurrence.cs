using System.Text.Json;
using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Model;

/// <summary>One dump's crash, recorded once per <see cref="DumpId"/>: who sent it, what it was, where the dump is,
/// and what recording it meant for its group.</summary>
public sealed record Occurrence
{
    public required Guid DumpId { get; init; }

    /// <summary>The group it was counted in (after following merges).</summary>
    public required string GroupId { get; init; }

    /// <summary>The fingerprint hash the panic produced; the group it lands in may have been merged from it.</summary>
    public required string Fingerprint { get; init; }

    public required string FingerprintVersion { get; init; }

    public required string Signature { get; init; }

    /// <summary>Why the panic got its fingerprint: one line per fact, naming the evidence and the rule that chose it
    /// (the fingerprint's explanation, lab rules included), for people who wonder why two crashes share a group.</summary>
    public IReadOnlyList<string> FingerprintExplanation { get; init; } = [];

    /// <summary>The panic kind as text, e.g. <c>trap type 14=page fault</c>.</summary>
    public required string Kind { get; init; }

    public string? Culprit { get; init; }

    public string? PanicMessage { get; init; }

    public required OccurrenceStatus Status { get; init; }

    /// <summary>When the relay received the dump.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The Mac's address and port as the relay saw it.</summary>
    public required string Client { get; init; }

    /// <summary>The Mac, for counting distinct machines: its IPv4 address (the port changes per panic).</summary>
    public required string Machine { get; init; }

    public string? Model { get; init; }

    public string? OsBuild { get; init; }

    public string? KernelVersion { get; init; }

    /// <summary>Where the dump is (blob or file URI).</summary>
    public required string DumpLocation { get; init; }

    public required string FileName { get; init; }

    public long DumpSize { get; init; }

    public string? Sha256 { get; init; }

    /// <summary>Whether the Mac's transfer reached EOF.</summary>
    public required bool Complete { get; init; }

    public string? RelayHost { get; init; }

    /// <summary>The decoder's warnings, content and size checks, and for a failed dump the reason.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Set by the store when it records the occurrence; kept, so a redelivery reports the same.</summary>
    public IngestOutcome? Outcome { get; init; }

    public string? RegressionReason { get; init; }

    public DateTimeOffset? RecordedAt { get; init; }

    /// <summary>Most characters of <see cref="PanicText"/> kept (what one Table Storage property holds).</summary>
    public const int MaxPanicTextLength = 32_000;

    /// <summary>The panic text the dump gave (its start, at most <see cref="MaxPanicTextLength"/> characters), kept so
    /// that a later fingerprint version can regroup the occurrence without its dump. Stored beside the occurrence's
    /// document, not in it, and read only by <see cref="Ports.ICrashStore.ScanOccurrencesAsync"/>.</summary>
    [JsonIgnore]
    public string? PanicText { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, IngestJsonContext.Default.Occurrence);
}
