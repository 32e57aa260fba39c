using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Upload;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Retention;

/// <summary>
/// One retention pass over the spool: finds the dumps whose ingest message is sent (and nothing else), asks
/// <see cref="RetentionPolicy"/> which to remove, and removes them through <see cref="DumpSpool.TryRelease"/>, the
/// only way anything leaves the spool. Passes run one at a time; <see cref="SpoolRetentionService"/> decides when.
/// </summary>
internal sealed class SpoolRetention(
    DumpSpool spool,
    IOptions<RetentionOptions> options,
    IOptions<RelayOptions> relay,
    TimeProvider time,
    ILogger<SpoolRetention> logger)
{
    private readonly Lock _gate = new();
    private readonly RetentionPolicy _policy = new(options.Value, relay.Value);
    private readonly RelayOptions _relay = relay.Value;
    private bool _shortReported;

    /// <summary>The room kept free for arriving dumps.</summary>
    public long HeadroomBytes => _policy.HeadroomBytes;

    /// <summary>Applies the policy once. Never throws for a dump it cannot delete: that is logged and left for the
    /// next pass.</summary>
    public RetentionPassResult RunPass()
    {
        lock (_gate)
        {
            var chosen = _policy.Choose(Uploaded(), ReadRoom(), time.GetUtcNow());
            var removed = new List<(UploadedDump, RemovalReason)>(chosen.Count);
            foreach (var (dump, why) in chosen)
            {
                if (TryRemove(dump, why))
                {
                    removed.Add((dump, why));
                }
            }

            var result = new RetentionPassResult(removed, chosen.Count - removed.Count);
            if (removed.Count > 0)
            {
                Log.RetentionRemoved(logger, removed.Count, result.RemovedBytes, Describe(removed), spool.UsedBytes);
            }

            ReportRoomLeft();
            return result;
        }
    }

    /// <summary>Finished dumps whose journal records the ingest message sent: the only ones retention may remove.</summary>
    private IEnumerable<UploadedDump> Uploaded()
    {
        foreach (var progress in spool.Snapshot())
        {
            if (!progress.IsFinished || spool.Find(progress.DumpId) is not { Upload: { State: UploadStates.Sent } upload } journal)
            {
                continue;
            }

            yield return new UploadedDump(journal.DumpId, journal.FileName, journal.FinishedAt ?? journal.StartedAt,
                upload.UpdatedAt, spool.ChargedBytesOf(journal.DumpId));
        }
    }

    private bool TryRemove(UploadedDump dump, RemovalReason why)
    {
        try
        {
            if (spool.TryRelease(dump.DumpId, out var problem))
            {
                Log.RetentionRemovedDump(logger, dump.FileName, dump.Bytes, why);
                return true;
            }

            // Released meanwhile by someone else (its file deleted by hand): nothing left to do.
            Log.RetentionSkippedDump(logger, dump.FileName, problem ?? "");
            return false;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Log.RetentionRemovalFailed(logger, dump.FileName, error.Message);
            return false;
        }
    }

    /// <summary>The spool's room now, with the disk read fresh (the spool's own figure may be a second old, and
    /// this pass may just have freed space).</summary>
    private SpoolRoom ReadRoom()
    {
        long available;
        try
        {
            available = new DriveInfo(spool.DumpsDirectory).AvailableFreeSpace;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Unknown: the disk rule sits this pass out rather than remove dumps on a guess.
            available = long.MaxValue;
        }

        return new SpoolRoom(spool.UsedBytes, available);
    }

    /// <summary>Says once, not every pass, when the room cannot be kept because what fills the spool is still
    /// waiting to be uploaded, and once when it is back.</summary>
    private void ReportRoomLeft()
    {
        var room = ReadRoom();
        var headroom = _policy.HeadroomBytes;
        var isShort = _relay.SpoolQuotaBytes - room.UsedBytes < headroom
            || (room.AvailableDiskBytes != long.MaxValue && room.AvailableDiskBytes - _relay.MinFreeDiskBytes < headroom);
        if (isShort && !_shortReported)
        {
            Log.RetentionCannotMakeRoom(logger, headroom, room.UsedBytes, room.AvailableDiskBytes);
        }
        else if (!isShort && _shortReported)
        {
            Log.RetentionRoomRestored(logger, headroom);
        }

        _shortReported = isShort;
    }

    private static string Describe(List<(UploadedDump Dump, RemovalReason Why)> removed) =>
        string.Join(", ", removed.GroupBy(entry => entry.Why).OrderBy(group => group.Key).Select(group => group.Key switch
        {
            RemovalReason.Age => $"{group.Count()} older than Retention:UploadedMaxAge",
            RemovalReason.Bytes => $"{group.Count()} past Retention:UploadedMaxBytes",
            RemovalReason.SpoolSpace => $"{group.Count()} to keep room under Relay:SpoolQuotaBytes",
            _ => $"{group.Count()} to keep room on the disk above Relay:MinFreeDiskBytes",
        }));
}
