using Azure;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Regrouping;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// The crash store in Azure Table Storage: a groups table and an occurrences table (defaults <c>crashgroups</c> and
/// <c>occurrences</c>), each row a JSON document in one string property (kept under 64 KiB by
/// <see cref="TableDocuments"/>) beside the columns that are filtered on.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> Every group is a row of one partition (<c>groups</c>, row key the escaped group id), with
/// <c>Status</c>, <c>MergedInto</c>, <c>Count</c> and <c>LastSeen</c> columns. An occurrence has two rows: its own,
/// partition <c>dump_&lt;id&gt;</c>, which makes it a point read and its insert the duplicate-key check; and an index
/// row in partition <c>group_&lt;group id&gt;</c> keyed by inverted receive time, so a group's occurrences come back
/// newest first from one partition query.</para>
/// <para><b>Exactly once without a cross-table transaction.</b> Table Storage cannot change a group row and an
/// occurrence row atomically, and a process can die between the two, or two instances can race on one dump. So:</para>
/// <list type="number">
/// <item>The occurrence is folded into its group (<see cref="GroupFolding"/>, after following merges) with ETag
/// optimistic concurrency, retried on 412/409. The group row carries a bounded list of the dumps it counted most
/// recently, with their outcomes: an attempt that finds its dump there (on the group or a group merged into it) does
/// not count it again, and takes the recorded outcome. This list, not a row of its own, is what makes a retried or
/// raced recording count once, so recording costs one read and one write of the group. Within one process, the
/// occurrences of a group being recorded at once are folded together into one write, with the row the last write left
/// (<see cref="GroupFoldLanes"/>): a busy group costs about one write per batch, and 412s come only from other
/// instances.</item>
/// <item>The index row is written, then the occurrence row, marked <c>recorded</c> with its outcome. Both writes are
/// idempotent upserts. Until the second, <see cref="FindOccurrenceAsync"/> does not see the occurrence, so the core
/// records it again, which finds the dump in the counted list and writes both rows. A recording that finds its dump
/// counted and its occurrence row recorded returns that row as it is.</item>
/// </list>
/// <para>The limit of the design: the counted list holds the last <see cref="TableDocuments.MaxCountedDumps"/> dumps
/// of a group. A recording that died after step 1 and is resumed only after that many more occurrences of the same
/// group were counted is counted twice (an over-count by one; a count is never lost). Rows a recording left
/// <c>pending</c> (the store's first version wrote them) are treated as not recorded.</para>
/// <para><b>Listing groups.</b> Table Storage cannot sort, so <see cref="ListGroupsAsync"/> reads the whole groups
/// partition, a page at a time, and keeps only the best <c>limit</c> rows in memory: memory is bounded by the limit,
/// time and bandwidth grow with the number of groups (fine for a lab's thousands; a much larger deployment would want
/// a ranking table).</para>
/// <para><b>Merges</b> are one hop, as in the SQLite store: merging a group re-points the groups merged into it, all
/// in one transaction over the groups partition (so at most <see cref="MaxRepointedMerges"/> of them).</para>
/// </remarks>
public sealed class TableCrashStore : ICrashStore
{
    /// <summary>Most groups earlier merged into a group that is itself being merged (one transaction holds 100 rows).</summary>
    public const int MaxRepointedMerges = 98;

    private const int MaxMergeHops = 16;
    private const int MaxConcurrencyAttempts = 200;
    private const string Recorded = "recorded";

    private readonly TableClient _groups;
    private readonly TableClient _occurrences;
    private readonly TimeProvider _time;
    private readonly TableAlertOutbox? _alerts;
    private readonly SemaphoreSlim _creating = new(1, 1);
    private readonly GroupFoldLanes _lanes = new();
    private volatile bool _created;

    /// <param name="groups">The groups table (created at first use when missing).</param>
    /// <param name="occurrences">The occurrences table (created at first use when missing).</param>
    /// <param name="time">The clock for record and status-change times.</param>
    /// <param name="alerts">The alert outbox the decision to alert is recorded in, before the occurrence row says
    /// recorded (so a resumed recording decides again, and the first decision stands); null: no alerts.</param>
    public TableCrashStore(TableClient groups, TableClient occurrences, TimeProvider time, TableAlertOutbox? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(occurrences);
        ArgumentNullException.ThrowIfNull(time);
        _groups = groups;
        _occurrences = occurrences;
        _time = time;
        _alerts = alerts;
    }

    public async Task<RecordResult> RecordAsync(Occurrence occurrence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var (stored, current, countedNow) = await FoldAsync(TableDocuments.Fit(occurrence), cancellationToken).ConfigureAwait(false);
        if (!countedNow && await FindOccurrenceAsync(stored.DumpId, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            return new RecordResult(recorded, current, AlreadyRecorded: true);
        }

        await MarkRecordedAsync(stored, current, cancellationToken).ConfigureAwait(false);
        return new RecordResult(stored, current, AlreadyRecorded: !countedNow);
    }

    public async Task<CrashGroup?> FindGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadGroupAsync(groupId, cancellationToken).ConfigureAwait(false))?.Group;
    }

    public async Task<IReadOnlyList<CrashGroup>> ListGroupsAsync(GroupOrder order, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        if (limit == 0)
        {
            return [];
        }

        var better = GroupRanking.For(order);
        var kept = new PriorityQueue<GroupRanking, GroupRanking>(limit + 1, Comparer<GroupRanking>.Create((a, b) => better.Compare(b, a)));
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.GroupsPartition} and Status ne {nameof(GroupStatus.Merged)}");
        await foreach (var row in _groups.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var ranking = GroupRanking.Of(row);
            if (kept.Count < limit)
            {
                kept.Enqueue(ranking, ranking);
            }
            else if (better.Compare(ranking, kept.Peek()) < 0)
            {
                kept.DequeueEnqueue(ranking, ranking);
            }
        }

        return [.. kept.UnorderedItems.Select(item => item.Element).Order(better).Select(ranking => TableJson.ReadGroup(ranking.Document))];
    }

    public async Task<Occurrence?> FindOccurrenceAsync(Guid dumpId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var row = await _occurrences.GetEntityIfExistsAsync<TableEntity>(TableKeys.DumpPartition(dumpId), TableKeys.OccurrenceRow,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is { HasValue: true, Value: { } entity } && entity.GetString("State") == Recorded
            ? TableJson.ReadOccurrence(entity.GetString("Document"))
            : null;
    }

    public async Task<IReadOnlyList<Occurrence>> ListOccurrencesAsync(string groupId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        if (limit == 0)
        {
            return [];
        }

        List<string> sources = [groupId];
        var merged = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.GroupsPartition} and MergedInto eq {groupId}");
        await foreach (var row in _groups.QueryAsync<TableEntity>(merged, select: ["Id"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            sources.Add(row.GetString("Id") ?? throw new InvalidOperationException($"group row {row.RowKey} has no Id"));
        }

        var found = new List<Occurrence>();
        foreach (var source in sources)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.GroupPartition(source)}");
            var taken = 0;
            await foreach (var row in _occurrences.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken)
                .ConfigureAwait(false))
            {
                found.Add(TableJson.ReadOccurrence(row.GetString("Document")));
                if (++taken == limit)
                {
                    break;
                }
            }
        }

        return [.. found.OrderByDescending(o => o.ReceivedAt).ThenByDescending(o => o.DumpId.ToString("D"), StringComparer.Ordinal).Take(limit)];
    }

    public async Task<CrashGroup?> SetStatusAsync(string groupId, GroupStatus status, CancellationToken cancellationToken = default)
    {
        if (status == GroupStatus.Merged)
        {
            throw new ArgumentException("use MergeAsync to merge groups", nameof(status));
        }

        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxConcurrencyAttempts; attempt++)
        {
            var row = await ReadGroupAsync(groupId, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            if (row.Group.Status == GroupStatus.Merged)
            {
                throw new InvalidOperationException($"group {groupId} is merged into {row.Group.MergedInto}; change that group instead");
            }

            if (row.Group.Status == status)
            {
                return row.Group;
            }

            var changed = row.Group with { Status = status, StatusChangedAt = _time.GetUtcNow() };
            try
            {
                await _groups.UpdateEntityAsync(GroupEntity(TableDocuments.Fit(changed), row.Counted), row.ETag, TableUpdateMode.Replace, cancellationToken)
                    .ConfigureAwait(false);
                _lanes.Forget(groupId);
                return changed;
            }
            catch (RequestFailedException error) when (error.Status == 412)
            {
                // Counted or changed meanwhile: read again.
            }
        }

        throw Contended(groupId);
    }

    public async Task<CrashGroup> MergeAsync(string intoGroupId, string fromGroupId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxConcurrencyAttempts; attempt++)
        {
            var into = await ReadGroupAsync(intoGroupId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"there is no group {intoGroupId}");
            var absorbed = await ReadGroupAsync(fromGroupId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"there is no group {fromGroupId}");
            var (survivor, merged) = GroupFolding.Merge(into.Group, absorbed.Group, _time.GetUtcNow());
            var fitted = TableDocuments.Fit(survivor);
            List<TableTransactionAction> actions =
            [
                new(TableTransactionActionType.UpdateReplace, GroupEntity(fitted, into.Counted), into.ETag),
                new(TableTransactionActionType.UpdateReplace, GroupEntity(TableDocuments.Fit(merged), absorbed.Counted), absorbed.ETag),
            ];

            // Groups merged into the one being merged now point at the survivor: a merge is always one hop.
            var earlier = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.GroupsPartition} and MergedInto eq {fromGroupId}");
            await foreach (var entity in _groups.QueryAsync<TableEntity>(earlier, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (actions.Count == MaxRepointedMerges + 2)
                {
                    throw new InvalidOperationException($"group {fromGroupId} has more than {MaxRepointedMerges} groups merged into it; merge it the other way round");
                }

                var row = GroupRow.Of(entity);
                var repointed = TableDocuments.Fit(row.Group with { MergedInto = fitted.Group.Id });
                actions.Add(new(TableTransactionActionType.UpdateReplace, GroupEntity(repointed, row.Counted), row.ETag));
            }

            try
            {
                await _groups.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                _lanes.Forget(intoGroupId);
                _lanes.Forget(fromGroupId);
                return fitted.Group;
            }
            catch (TableTransactionFailedException error) when (error.Status is 412 or 409)
            {
                // A group changed between the reads and the transaction: nothing was written; read again.
            }
        }

        throw Contended(intoGroupId);
    }

    public async IAsyncEnumerable<CrashGroup> ScanGroupsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.GroupsPartition}");
        await foreach (var row in _groups.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Document"], cancellationToken: cancellationToken)
            .ConfigureAwait(false))
        {
            yield return TableJson.ReadGroup(row.GetString("Document"));
        }
    }

    public async IAsyncEnumerable<Occurrence> ScanOccurrencesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"RowKey eq {TableKeys.OccurrenceRow} and State eq {Recorded}");
        await foreach (var row in _occurrences.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Document", "PanicText"], cancellationToken: cancellationToken)
            .ConfigureAwait(false))
        {
            yield return TableJson.ReadOccurrence(row.GetString("Document")) with { PanicText = row.GetString("PanicText") };
        }
    }

    /// <summary>Groups first (merged into the new ones, so nothing points nowhere), then each move (the new index row,
    /// the occurrence row, then the old index row removed), then empty well-known groups. Every write is an idempotent
    /// upsert or delete, so a regrouping cut short is completed by applying its plan again. The group rows' counted-dumps
    /// lists are kept (merged writes leave them).</summary>
    public async Task ApplyRegroupAsync(RegroupPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var group in plan.Groups)
        {
            var entity = GroupEntity(TableDocuments.Fit(group), []);
            entity.Remove("Counted");
            await _groups.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            _lanes.Forget(group.Id);
        }

        foreach (var move in plan.Moves)
        {
            var stored = TableDocuments.Fit(move.Occurrence);
            var document = TableJson.Write(stored);
            await _occurrences.UpsertEntityAsync(IndexEntity(stored, document), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            await _occurrences.UpsertEntityAsync(new TableEntity(TableKeys.DumpPartition(stored.DumpId), TableKeys.OccurrenceRow)
            {
                ["GroupId"] = stored.GroupId,
                ["Document"] = document,
            }, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            if (move.From != stored.GroupId)
            {
                await _occurrences.DeleteEntityAsync(TableKeys.GroupPartition(move.From), TableKeys.IndexRow(stored.ReceivedAt, stored.DumpId),
                    ETag.All, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var id in plan.Deleted)
        {
            await _groups.DeleteEntityAsync(TableKeys.GroupsPartition, TableKeys.GroupRow(id), ETag.All, cancellationToken).ConfigureAwait(false);
            _lanes.Forget(id);
        }
    }

    /// <summary>Step 1: counts the occurrence in its group once, in a batch with the other occurrences of the group
    /// this process is recording at the moment (<see cref="GroupFoldLanes"/>).</summary>
    private async Task<(Occurrence Stored, CrashGroup Group, bool CountedNow)> FoldAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var folded = await _lanes.FoldAsync(occurrence, FoldBatchAsync, cancellationToken).ConfigureAwait(false);
        return (folded.Stored, folded.Group, folded.CountedNow);
    }

    /// <summary>Folds one group's batch, in order, into one write of its row (after following merges), retried on 412/409:
    /// an occurrence whose dump the row (or a row merged into it, or this batch) has counted already is not counted
    /// again and takes the recorded outcome.</summary>
    private async Task<IReadOnlyList<FoldResult>> FoldBatchAsync(GroupFoldLanes.Lane lane, IReadOnlyList<Occurrence> batch)
    {
        var groupId = batch[0].GroupId;
        for (var attempt = 0; attempt < MaxConcurrencyAttempts; attempt++)
        {
            var chain = attempt == 0 && lane.Last is { Group.Status: not GroupStatus.Merged } last && last.Group.Id == groupId
                ? [last]
                : await FollowMergesAsync(groupId, CancellationToken.None).ConfigureAwait(false);
            var target = chain.Count == 0 ? null : chain[^1];
            var group = target?.Group;
            var counted = target is null ? [] : new List<CountedDump>(target.Counted);
            var folds = new (Occurrence Stored, bool CountedNow)[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                var occurrence = batch[i];
                if (CountedBefore(chain, counted, occurrence.DumpId, group?.Id ?? groupId) is { } earlier)
                {
                    folds[i] = (earlier.Dump.Apply(occurrence, earlier.GroupId), false);
                    continue;
                }

                (group, var stored) = GroupFolding.Fold(group, occurrence with { GroupId = group?.Id ?? occurrence.GroupId }, _time.GetUtcNow());
                counted.Add(CountedDump.From(stored));
                folds[i] = (stored, true);
            }

            if (!folds.Any(f => f.CountedNow))
            {
                return [.. folds.Select(f => new FoldResult(f.Stored, target!.Group, false))];
            }

            var fitted = TableDocuments.Fit(group!);
            var entity = GroupEntity(fitted, counted);
            try
            {
                var written = target is null
                    ? await _groups.AddEntityAsync(entity, CancellationToken.None).ConfigureAwait(false)
                    : await _groups.UpdateEntityAsync(entity, target.ETag, TableUpdateMode.Replace, CancellationToken.None).ConfigureAwait(false);
                lane.Last = chain.Count <= 1 && written.Headers.ETag is { } etag ? new GroupRow(fitted.Group, counted, etag) : null;
                return [.. folds.Select(f => new FoldResult(f.Stored, fitted.Group, f.CountedNow))];
            }
            catch (RequestFailedException error) when (error.Status is 409 or 412)
            {
                // Another instance (or a person) changed the group first: read it again and fold the batch again.
                lane.Last = null;
            }
        }

        throw Contended(groupId);
    }

    /// <summary>Where <paramref name="dumpId"/> was counted already: in a group the chain passes through, or in the
    /// target's list (group <paramref name="targetId"/>) as this batch extends it.</summary>
    private static (CountedDump Dump, string GroupId)? CountedBefore(List<GroupRow> chain, List<CountedDump> counted, Guid dumpId, string targetId)
    {
        for (var hop = 0; hop < chain.Count - 1; hop++)
        {
            if (chain[hop].Counted.Find(c => c.DumpId == dumpId) is { } earlier)
            {
                return (earlier, chain[hop].Group.Id);
            }
        }

        return counted.Find(c => c.DumpId == dumpId) is { } inTarget ? (inTarget, targetId) : null;
    }

    /// <summary>Step 2: the index row, then the occurrence row marked recorded. Both are idempotent upserts.</summary>
    private async Task MarkRecordedAsync(Occurrence stored, CrashGroup group, CancellationToken cancellationToken)
    {
        var document = TableJson.Write(stored);
        await _occurrences.UpsertEntityAsync(IndexEntity(stored, document), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        if (_alerts is not null)
        {
            await _alerts.RecordAsync(new RecordResult(stored, group, AlreadyRecorded: false), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        await _occurrences.UpsertEntityAsync(new TableEntity(TableKeys.DumpPartition(stored.DumpId), TableKeys.OccurrenceRow)
        {
            ["State"] = Recorded,
            ["GroupId"] = stored.GroupId,
            ["ReceivedAt"] = stored.ReceivedAt,
            ["Document"] = document,
            ["PanicText"] = stored.PanicText,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The index row that lists <paramref name="stored"/> under its group.</summary>
    private static TableEntity IndexEntity(Occurrence stored, string document) =>
        new(TableKeys.GroupPartition(stored.GroupId), TableKeys.IndexRow(stored.ReceivedAt, stored.DumpId))
        {
            ["DumpId"] = stored.DumpId.ToString("D"),
            ["ReceivedAt"] = stored.ReceivedAt,
            ["Document"] = document,
        };

    /// <summary>The fingerprint's group and the groups its merges lead to, the one that counts now last; empty when the
    /// fingerprint has no group yet.</summary>
    private async Task<List<GroupRow>> FollowMergesAsync(string groupId, CancellationToken cancellationToken)
    {
        var chain = new List<GroupRow>();
        var next = groupId;
        while (next is not null)
        {
            if (chain.Count > MaxMergeHops)
            {
                throw new InvalidOperationException($"group {groupId}'s merges do not end within {MaxMergeHops} hops");
            }

            var row = await ReadGroupAsync(next, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return chain.Count == 0 ? chain : throw new InvalidOperationException($"group {chain[^1].Group.Id} is merged into {next}, which is missing");
            }

            chain.Add(row);
            next = row.Group is { Status: GroupStatus.Merged, MergedInto: { } into } ? into : null;
        }

        return chain;
    }

    private async Task<GroupRow?> ReadGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var row = await _groups.GetEntityIfExistsAsync<TableEntity>(TableKeys.GroupsPartition, TableKeys.GroupRow(groupId), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return row.HasValue ? GroupRow.Of(row.Value!) : null;
    }

    /// <summary>A group row from the group as <see cref="TableDocuments.Fit(CrashGroup)"/> fitted it (its JSON written
    /// once) and its counted-dumps list.</summary>
    private static TableEntity GroupEntity((CrashGroup Group, string Json) fitted, List<CountedDump> counted) =>
        new(TableKeys.GroupsPartition, TableKeys.GroupRow(fitted.Group.Id))
        {
            ["Id"] = fitted.Group.Id,
            ["Status"] = fitted.Group.Status.ToString(),
            ["MergedInto"] = fitted.Group.MergedInto,
            ["Count"] = fitted.Group.Count,
            ["LastSeen"] = fitted.Group.LastSeen,
            ["Document"] = fitted.Json,
            ["Counted"] = TableDocuments.Fit(counted),
        };

    private async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _creating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await CreateAsync(_groups, cancellationToken).ConfigureAwait(false);
                await CreateAsync(_occurrences, cancellationToken).ConfigureAwait(false);
                _created = true;
            }
        }
        finally
        {
            _creating.Release();
        }
    }

    private static async Task CreateAsync(TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status == 403)
        {
            // A role that may only read and write entities: the tables are then expected to exist (Bicep creates them).
        }
    }

    private static InvalidOperationException Contended(string groupId) =>
        new($"group {groupId} kept changing: gave up after {MaxConcurrencyAttempts} optimistic-concurrency attempts");

    /// <summary>What groups are ordered by, read from the columns; the document is parsed only for the rows kept.</summary>
    private sealed record GroupRanking(string Id, long Count, DateTimeOffset LastSeen, string Document)
    {
        public static GroupRanking Of(TableEntity entity) =>
            new(entity.GetString("Id"), entity.GetInt64("Count") ?? 0, entity.GetDateTimeOffset("LastSeen") ?? default, entity.GetString("Document"));

        /// <summary>Orders best first, as the SQLite store does (ties by id).</summary>
        public static IComparer<GroupRanking> For(GroupOrder order) => Comparer<GroupRanking>.Create(order == GroupOrder.MostFrequent
            ? (a, b) => Tiebreak(b.Count.CompareTo(a.Count), b.LastSeen.CompareTo(a.LastSeen), a, b)
            : (a, b) => Tiebreak(b.LastSeen.CompareTo(a.LastSeen), b.Count.CompareTo(a.Count), a, b));

        private static int Tiebreak(int first, int second, GroupRanking a, GroupRanking b) =>
            first != 0 ? first : second != 0 ? second : string.CompareOrdinal(a.Id, b.Id);
    }
}
