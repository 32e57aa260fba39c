using KDumpCloud.Ingest.Querying;

namespace KDumpCloud.Ingest.Ports;

/// <summary>
/// The read side the dashboard needs beyond <see cref="ICrashStore"/>: filtered, sorted and paged group lists, the
/// lab's overview, and an occurrence's kept panic text. Both adapters answer from the groups themselves (their
/// <see cref="Model.CrashGroup.DailyCounts"/> carry the trends) through <see cref="GroupQueryEngine"/>, so SQLite and
/// Table Storage filter, sort and count identically. Changes go through <see cref="ICrashStore"/>.
/// </summary>
public interface ICrashQueries
{
    /// <summary>Live groups (merged ones left out) matching <paramref name="query"/>, one page of them, with the total
    /// and the kinds and OS builds there are to filter on.</summary>
    Task<GroupPage> QueryGroupsAsync(GroupQuery query, CancellationToken cancellationToken = default);

    /// <summary>The lab at a glance as of <paramref name="now"/>: crashes per day, new groups, top groups, last crash.</summary>
    Task<CrashOverview> OverviewAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The panic text kept with an occurrence (<see cref="Model.Occurrence.PanicText"/>); null when there is no
    /// such occurrence or nothing was kept (a failed ingest, or recorded before the text was kept).</summary>
    Task<string?> FindPanicTextAsync(Guid dumpId, CancellationToken cancellationToken = default);
}
