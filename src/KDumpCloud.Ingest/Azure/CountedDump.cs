using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Azure;

/// <summary>A dump a group has counted, with what counting it meant: kept on the group row (bounded, newest last) so
/// that a retried or raced recording finds it was already counted, and reports the same outcome.</summary>
internal sealed record CountedDump(Guid DumpId, IngestOutcome Outcome, string? Reason, DateTimeOffset RecordedAt)
{
    public static CountedDump From(Occurrence stored) =>
        new(stored.DumpId, stored.Outcome ?? IngestOutcome.Repeat, stored.RegressionReason, stored.RecordedAt ?? stored.ReceivedAt);

    /// <summary>The occurrence as it was stored when this dump was counted in <paramref name="groupId"/>.</summary>
    public Occurrence Apply(Occurrence pending, string groupId) =>
        pending with { GroupId = groupId, Outcome = Outcome, RegressionReason = Reason, RecordedAt = RecordedAt };
}
