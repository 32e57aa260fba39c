using KDumpCloud.Relay.Options;

namespace KDumpCloud.Relay.Retention;

/// <summary>
/// Decides which uploaded dumps to remove, without touching anything: those older than
/// <see cref="RetentionOptions.UploadedMaxAge"/>, then oldest first while uploaded dumps take more than
/// <see cref="RetentionOptions.UploadedMaxBytes"/>, then oldest first while the spool or its disk has less room than
/// the headroom. Dumps not yet uploaded are not its to weigh: they are never given to it.
/// </summary>
internal sealed class RetentionPolicy(RetentionOptions options, RelayOptions relay)
{
    /// <summary>The room kept free for arriving dumps (<see cref="RetentionOptions.HeadroomFor"/>).</summary>
    public long HeadroomBytes { get; } = options.HeadroomFor(relay);

    /// <summary>The dumps to remove, oldest first, each with the first rule that wants it gone.</summary>
    public IReadOnlyList<(UploadedDump Dump, RemovalReason Why)> Choose(IEnumerable<UploadedDump> uploaded, SpoolRoom room, DateTimeOffset now)
    {
        var oldestFirst = uploaded.OrderBy(dump => dump.ArrivedAt).ThenBy(dump => dump.DumpId).ToList();
        var keptBytes = oldestFirst.Sum(dump => dump.Bytes);

        // What removing dumps must free for the room under the quota and above the disk's reserve to be back.
        var spoolShortBy = HeadroomBytes - (relay.SpoolQuotaBytes - room.UsedBytes);
        var diskShortBy = HeadroomBytes - (room.AvailableDiskBytes - relay.MinFreeDiskBytes);
        long freed = 0;

        var chosen = new List<(UploadedDump, RemovalReason)>();
        foreach (var dump in oldestFirst)
        {
            RemovalReason? why =
                now - dump.SentAt >= options.UploadedMaxAge ? RemovalReason.Age
                : keptBytes > options.UploadedMaxBytes ? RemovalReason.Bytes
                : freed < spoolShortBy ? RemovalReason.SpoolSpace
                : freed < diskShortBy ? RemovalReason.DiskSpace
                : null;
            if (why is { } reason)
            {
                chosen.Add((dump, reason));
                keptBytes -= dump.Bytes;
                freed += dump.Bytes;
            }
        }

        return chosen;
    }
}
