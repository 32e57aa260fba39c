namespace KDumpCloud.Relay.Retention;

/// <summary>What one retention pass did.</summary>
/// <param name="Removed">The dumps it removed, oldest first, each with the rule that removed it.</param>
/// <param name="Failed">Dumps it chose but could not delete now; the next pass tries them again.</param>
internal sealed record RetentionPassResult(IReadOnlyList<(UploadedDump Dump, RemovalReason Why)> Removed, int Failed)
{
    public long RemovedBytes => Removed.Sum(removed => removed.Dump.Bytes);
}
