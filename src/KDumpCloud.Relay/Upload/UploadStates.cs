namespace KDumpCloud.Relay.Upload;

/// <summary>The uploader's states in <see cref="Spool.DumpUpload.State"/>, in the order a dump passes them.</summary>
internal static class UploadStates
{
    /// <summary>Blocks are being staged; nothing is committed. <see cref="Spool.DumpUpload.BytesStaged"/> (recorded every
    /// second) says how far: a restart skips the leading blocks below it that the service still holds, stages the
    /// rest (same ids, so the service replaces any it had) and commits once.</summary>
    public const string Staging = "staging";

    /// <summary>The block list is committed; only the ingest message remains.</summary>
    public const string Committed = "committed";

    /// <summary>The ingest message is sent: nothing remains.</summary>
    public const string Sent = "sent";
}
