namespace KDumpCloud.Ingest.Model;

/// <summary>What the store did with an occurrence.</summary>
/// <param name="Occurrence">The occurrence as stored, its <see cref="Occurrence.Outcome"/> set.</param>
/// <param name="Group">The group after the occurrence was counted (or as it is, when it already was).</param>
/// <param name="AlreadyRecorded">The dump id had been recorded before (a redelivered or raced message): nothing was
/// counted now, and <paramref name="Occurrence"/> is the first recording's, outcome included.</param>
public sealed record RecordResult(Occurrence Occurrence, CrashGroup Group, bool AlreadyRecorded)
{
    public IngestOutcome Outcome => Occurrence.Outcome ?? IngestOutcome.Repeat;
}
