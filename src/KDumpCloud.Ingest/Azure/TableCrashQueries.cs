using Azure;
using Azure.Data.Tables;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Querying;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// The dashboard's queries over the tables <see cref="TableCrashStore"/> writes. Table Storage can neither sort nor
/// search inside a document, so each query reads the live rows of the one groups partition (the <c>Document</c>
/// column only, a page of 1,000 at a time) and answers with <see cref="GroupQueryEngine"/>: time and bandwidth grow with
/// the number of groups, as for <see cref="TableCrashStore.ListGroupsAsync"/>; fine for a lab's thousands. Tables that
/// do not exist yet read as empty.
/// </summary>
/// <param name="groups">The groups table.</param>
/// <param name="occurrences">The occurrences table.</param>
public sealed class TableCrashQueries(TableClient groups, TableClient occurrences) : ICrashQueries
{
    public async Task<GroupPage> QueryGroupsAsync(GroupQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return GroupQueryEngine.Query(await LiveGroupsAsync(cancellationToken).ConfigureAwait(false), query);
    }

    public async Task<CrashOverview> OverviewAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        GroupQueryEngine.Overview(await LiveGroupsAsync(cancellationToken).ConfigureAwait(false), now);

    public async Task<string?> FindPanicTextAsync(Guid dumpId, CancellationToken cancellationToken = default)
    {
        try
        {
            var row = await occurrences.GetEntityIfExistsAsync<TableEntity>(TableKeys.DumpPartition(dumpId), TableKeys.OccurrenceRow,
                select: ["PanicText"], cancellationToken: cancellationToken).ConfigureAwait(false);
            return row.HasValue ? row.Value!.GetString("PanicText") : null;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null; // no table yet
        }
    }

    private async Task<List<CrashGroup>> LiveGroupsAsync(CancellationToken cancellationToken)
    {
        var live = new List<CrashGroup>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.GroupsPartition} and Status ne {nameof(GroupStatus.Merged)}");
        try
        {
            await foreach (var row in groups.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Document"], cancellationToken: cancellationToken)
                .ConfigureAwait(false))
            {
                live.Add(TableJson.ReadGroup(row.GetString("Document")));
            }
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            // No table yet: nothing recorded.
        }

        return live;
    }
}
