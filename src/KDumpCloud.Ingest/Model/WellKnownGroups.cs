namespace KDumpCloud.Ingest.Model;

/// <summary>Group ids for dumps that did not give a crash fingerprint, so they are recorded and visible like any
/// other group rather than lost.</summary>
public static class WellKnownGroups
{
    /// <summary>Read, but no panic could be found or decoded in it.</summary>
    public const string NoPanic = "no-panic-found";

    /// <summary>Ingest failed on it every time it was tried (the poison queue).</summary>
    public const string IngestFailed = "ingest-failed";

    /// <summary>The fingerprint version for the two groups above.</summary>
    public const string Version = "kdc-special-1";

    public static bool IsWellKnown(string groupId) => groupId is NoPanic or IngestFailed;
}
