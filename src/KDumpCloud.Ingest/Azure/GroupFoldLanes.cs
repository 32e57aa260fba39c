using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// In-process lanes for folding occurrences into group rows (a lane per stripe of group ids). Occurrences of one group
/// that arrive while its lane is busy wait in the lane and are then folded together, in arrival order, into one write
/// of the group row; and each lane remembers the row it last wrote, with its ETag, so the next fold writes without
/// reading first. A busy group so costs about one write per batch instead of a read and a write per occurrence (and
/// no 412s between this process's own folds). The ETag keeps this safe across processes: a row another instance or a
/// person changed fails the write (412), and the batch is read and folded again.
/// </summary>
internal sealed class GroupFoldLanes
{
    /// <summary>Most occurrences folded into one write.</summary>
    public const int MaxBatch = 64;

    private readonly Lane[] _lanes;

    /// <param name="count">Lanes; unrelated groups that share one take turns, so more lanes than groups folded at
    /// once. Memory is one remembered row per lane.</param>
    public GroupFoldLanes(int count = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _lanes = [.. Enumerable.Range(0, count).Select(_ => new Lane())];
    }

    /// <summary>Folds <paramref name="occurrence"/> with whatever else of its group is waiting, by
    /// <paramref name="foldBatch"/> (called for one group's batch at a time per lane, never concurrently within a lane).
    /// Waiting is cancelled by <paramref name="cancellationToken"/>; a batch already under way completes.</summary>
    public async Task<FoldResult> FoldAsync(Occurrence occurrence, Func<Lane, IReadOnlyList<Occurrence>, Task<IReadOnlyList<FoldResult>>> foldBatch,
        CancellationToken cancellationToken)
    {
        var lane = LaneOf(occurrence.GroupId);
        var waiting = new Waiting(occurrence);
        bool drain;
        lock (lane.Queue)
        {
            lane.Queue.Add(waiting);
            drain = !lane.Draining;
            lane.Draining = true;
        }

        if (drain)
        {
            _ = Task.Run(() => DrainAsync(lane, foldBatch), CancellationToken.None);
        }

        return await waiting.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops what the lane remembers of <paramref name="groupId"/> (changed here by other than a fold). Only an
    /// optimisation: a fold racing this still fails on the ETag if its row is out of date.</summary>
    public void Forget(string groupId)
    {
        var lane = LaneOf(groupId);
        if (lane.Last?.Group.Id == groupId)
        {
            lane.Last = null;
        }
    }

    /// <summary>Folds batches until the lane is empty; the first group waiting goes first, with every other occurrence of
    /// that group waiting behind it.</summary>
    private static async Task DrainAsync(Lane lane, Func<Lane, IReadOnlyList<Occurrence>, Task<IReadOnlyList<FoldResult>>> foldBatch)
    {
        while (true)
        {
            List<Waiting> batch;
            lock (lane.Queue)
            {
                if (lane.Queue.Count == 0)
                {
                    lane.Draining = false;
                    return;
                }

                var groupId = lane.Queue[0].Occurrence.GroupId;
                batch = [.. lane.Queue.Where(w => w.Occurrence.GroupId == groupId).Take(MaxBatch)];
                foreach (var taken in batch)
                {
                    lane.Queue.Remove(taken);
                }
            }

            try
            {
                var results = await foldBatch(lane, [.. batch.Select(w => w.Occurrence)]).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception error)
            {
                lane.Last = null;
                batch.ForEach(w => w.Done.TrySetException(error));
            }
        }
    }

    private Lane LaneOf(string groupId) => _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(groupId) % (uint)_lanes.Length)];

    internal sealed class Lane
    {
        public List<Waiting> Queue { get; } = [];

        public bool Draining { get; set; }

        /// <summary>The group row this lane wrote last, as written (its ETag from the response).</summary>
        public volatile GroupRow? Last;
    }

    internal sealed record Waiting(Occurrence Occurrence)
    {
        public TaskCompletionSource<FoldResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>One occurrence folded: as stored, the group after its batch, and whether this fold counted it (false: an
/// earlier or concurrent recording had).</summary>
internal sealed record FoldResult(Occurrence Stored, CrashGroup Group, bool CountedNow);
