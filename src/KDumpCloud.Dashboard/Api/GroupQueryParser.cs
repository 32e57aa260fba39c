using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Querying;
using Microsoft.AspNetCore.Http;

namespace KDumpCloud.Dashboard.Api;

/// <summary>
/// Reads a group list's query string, shared by the list page and <c>GET /api/groups</c>: <c>status</c>, <c>kind</c>,
/// <c>osBuild</c>, <c>q</c>, <c>sort</c>, <c>offset</c>, <c>limit</c>. It is untrusted input: an unknown or malformed
/// value is ignored (its default applies), numbers are clamped, texts are bounded.
/// </summary>
public static class GroupQueryParser
{
    /// <summary>Longest kind or OS build accepted as a filter (longer ones match nothing anyway).</summary>
    private const int MaxFilterLength = 500;

    public static GroupQuery Parse(IQueryCollection query, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new GroupQuery
        {
            Status = Enum.TryParse<GroupStatus>(Single(query, "status"), ignoreCase: true, out var status) && status != GroupStatus.Merged
                && Enum.IsDefined(status) ? status : null,
            Kind = Bounded(Single(query, "kind")),
            OsBuild = Bounded(Single(query, "osBuild")),
            Text = Bounded(Single(query, "q")),
            Sort = Enum.TryParse<GroupSort>(Single(query, "sort"), ignoreCase: true, out var sort) && Enum.IsDefined(sort) ? sort : GroupSort.Regressions,
            Offset = int.TryParse(Single(query, "offset"), out var offset) ? Math.Clamp(offset, 0, int.MaxValue / 2) : 0,
            Limit = int.TryParse(Single(query, "limit"), out var limit) ? Math.Clamp(limit, 1, GroupQuery.MaxLimit) : Math.Clamp(pageSize, 1, GroupQuery.MaxLimit),
        };
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static string? Bounded(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Length > MaxFilterLength ? value[..MaxFilterLength] : value;
}
