using KDumpCloud.Dashboard.Api;
using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Ingest.Querying;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Dashboard.Pages.Groups;

/// <summary>The group list: filters and sort from the query string (as <c>GET /api/groups</c> reads them), one page.</summary>
public sealed class IndexModel(DashboardReader reader, IOptions<DashboardOptions> options) : PageModel
{
    public GroupList List { get; private set; } = null!;

    public string? PreviousLink { get; private set; }

    public string? NextLink { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        List = await reader.GroupsAsync(GroupQueryParser.Parse(Request.Query, options.Value.PageSize), cancellationToken);
        var q = List.Query;
        PreviousLink = q.Offset > 0 ? Link(q with { Offset = Math.Max(0, q.Offset - q.Limit) }) : null;
        NextLink = q.Offset + List.Groups.Count < List.Total ? Link(q with { Offset = q.Offset + q.Limit }) : null;
    }

    /// <summary>This list sorted by <paramref name="sort"/>, filters kept, from the first page.</summary>
    public string SortLink(GroupSort sort) => Link(List.Query with { Sort = sort, Offset = 0 });

    public string SortClass(GroupSort sort) => List.Query.Sort == sort ? "sorted" : "";

    private string Link(GroupQuery query)
    {
        var builder = new QueryBuilder();
        Add(builder, "q", query.Text);
        Add(builder, "status", query.Status?.ToString().ToLowerInvariant());
        Add(builder, "kind", query.Kind);
        Add(builder, "osBuild", query.OsBuild);
        if (query.Sort != GroupSort.Regressions)
        {
            builder.Add("sort", query.Sort.ToString());
        }

        if (query.Offset > 0)
        {
            builder.Add("offset", query.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (query.Limit != options.Value.PageSize)
        {
            builder.Add("limit", query.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return "/groups" + builder.ToQueryString().Value;
    }

    private static void Add(QueryBuilder builder, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            builder.Add(name, value);
        }
    }
}
