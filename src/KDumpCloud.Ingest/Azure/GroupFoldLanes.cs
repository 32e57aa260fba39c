namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// In-process lanes for folding occurrences into group rows. Folds of one group (of one stripe of group ids) run one at a
/// time instead of racing each other into 412s, and each lane remembers the row it last wrote, with its ETag, so the
/// next fold of that group writes without reading first. The ETag keeps this safe across processes: a row another
/// instance or a person changed fails the write (412), and the fold reads it again.
/// </summary>
internal sealed class GroupFoldLanes
{
    private readonly Lane[] _lanes;

    /// <param name="count">Lanes; unrelated groups that share one wait for each other, so more lanes than groups
    /// folded at once. Memory is one remembered row per lane.</param>
    public GroupFoldLanes(int count = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _lanes = [.. Enumerable.Range(0, count).Select(_ => new Lane())];
    }

    /// <summary>Waits for <paramref name="groupId"/>'s lane; disposing the lane lets the next fold in.</summary>
    public async Task<Lane> EnterAsync(string groupId, CancellationToken cancellationToken)
    {
        var lane = LaneOf(groupId);
        await lane.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return lane;
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

    private Lane LaneOf(string groupId) => _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(groupId) % (uint)_lanes.Length)];

    internal sealed class Lane : IDisposable
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>The group row this lane wrote last, as written (its ETag from the response).</summary>
        public volatile GroupRow? Last;

        public void Dispose() => Gate.Release();
    }
}
