using KDumpCloud.Dashboard.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace KDumpCloud.Dashboard.Hosting;

public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// The dashboard at the root of <paramref name="endpoints"/>: pages <c>/</c> (overview), <c>/groups</c> (the
    /// list), <c>/groups/{fingerprint}</c> (a group; the link alerts carry), the JSON API under <c>/api</c>, dump
    /// downloads under <c>/dumps</c>, its script and style under <c>/assets</c>, and a 404 page for anything else.
    /// </summary>
    public static IEndpointRouteBuilder MapKDumpDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapRazorPages();
        DashboardApi.Map(endpoints);
        DumpDownloads.Map(endpoints);
        DashboardAssets.Map(endpoints);
        endpoints.MapFallbackToPage("/NotFound");
        return endpoints;
    }
}
