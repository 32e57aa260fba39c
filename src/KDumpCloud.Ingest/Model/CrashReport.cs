using System.Text.Json;

namespace KDumpCloud.Ingest.Model;

/// <summary>
/// What ingest says about one dump, published to the crash-reports topic and handed to observers: the occurrence, its
/// group as it stands after it, and what it meant.
/// </summary>
public sealed record CrashReport
{
    public required Guid DumpId { get; init; }

    public required IngestOutcome Outcome { get; init; }

    public string? RegressionReason { get; init; }

    /// <summary>This dump had been recorded before; the report repeats the first recording's outcome.</summary>
    public bool Redelivered { get; init; }

    public required Occurrence Occurrence { get; init; }

    public required CrashGroup Group { get; init; }

    public static CrashReport From(RecordResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new CrashReport
        {
            DumpId = result.Occurrence.DumpId,
            Outcome = result.Outcome,
            RegressionReason = result.Occurrence.RegressionReason,
            Redelivered = result.AlreadyRecorded,
            Occurrence = result.Occurrence,
            Group = result.Group,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, IngestJsonContext.Default.CrashReport);

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, IngestJsonContext.Default.CrashReport);
}
