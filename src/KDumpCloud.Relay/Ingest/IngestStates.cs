namespace KDumpCloud.Relay.Ingest;

/// <summary>What the embedded ingest records in a dump's journal (<see cref="Spool.DumpIngest.State"/>): once either
/// is there, the dump is never ingested again, whatever restarts follow.</summary>
public static class IngestStates
{
    /// <summary>The dump was decoded (or found to hold no panic) and counted in its group.</summary>
    public const string Recorded = "recorded";

    /// <summary>Every attempt failed; the dump is recorded in the <c>ingest-failed</c> group with the reason.</summary>
    public const string Failed = "failed";
}
