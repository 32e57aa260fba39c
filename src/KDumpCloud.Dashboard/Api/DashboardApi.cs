using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Dashboard.Reading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Dashboard.Api;

/// <summary>
/// The JSON API under <c>/api</c>: the same models the pages render (<see cref="DashboardReader"/>), read only. Changes
/// are the pages' form posts (anti-forgery checked) or <c>kdumpcloud crashes</c>.
/// </summary>
internal static class DashboardApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
        {
            SecurityHeaders.Apply(context.HttpContext.Response);
            return await next(context);
        });

        api.MapGet("/overview", async (DashboardReader reader, CancellationToken cancellationToken) =>
            Results.Json(await reader.OverviewAsync(cancellationToken), DashboardJson.Options));

        api.MapGet("/groups", async (HttpRequest request, DashboardReader reader, IOptions<DashboardOptions> options, CancellationToken cancellationToken) =>
            Results.Json(await reader.GroupsAsync(GroupQueryParser.Parse(request.Query, options.Value.PageSize), cancellationToken), DashboardJson.Options));

        api.MapGet("/groups/{fingerprint}", async (string fingerprint, DashboardReader reader, CancellationToken cancellationToken) =>
        {
            var (details, mergedInto) = await reader.GroupAsync(fingerprint, cancellationToken);
            if (mergedInto is not null)
            {
                return Results.Redirect("/api" + DashboardReader.GroupPath(mergedInto), permanent: false, preserveMethod: true);
            }

            return details is null
                ? Results.Json(new { error = "no such group", fingerprint }, DashboardJson.Options, statusCode: StatusCodes.Status404NotFound)
                : Results.Json(details, DashboardJson.Options);
        });
    }
}
