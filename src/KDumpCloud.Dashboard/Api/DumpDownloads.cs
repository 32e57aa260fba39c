using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KDumpCloud.Dashboard.Api;

/// <summary>
/// <c>GET /dumps/{dumpId}</c>: an occurrence's dump, streamed through the dashboard from where the ingest read it (the
/// relay's spool, or the <c>dumps</c> blob container with the app's own identity), with the same reader and the same
/// containment rules. People need no storage role of their own, and nothing else can be read through it: the location
/// comes from the stored occurrence, never from the request.
/// </summary>
internal static class DumpDownloads
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/dumps/{dumpId:guid}", async (Guid dumpId, HttpContext context, DashboardReader reader, CancellationToken cancellationToken) =>
        {
            SecurityHeaders.Apply(context.Response);
            var occurrence = await reader.OccurrenceAsync(dumpId, cancellationToken);
            var dumps = context.RequestServices.GetService(typeof(IDumpReader)) as IDumpReader;
            if (occurrence is null || dumps is null || IngestMessage.ForRecorded(occurrence) is not { } message)
            {
                return Results.NotFound("no dump is kept for " + dumpId.ToString("D"));
            }

            try
            {
                var stream = await dumps.OpenAsync(message, cancellationToken);
                return Results.Stream(stream, "application/octet-stream", DownloadName(occurrence));
            }
            catch (DumpMissingException)
            {
                return Results.NotFound("the dump of " + dumpId.ToString("D") + " is no longer kept");
            }
        });

    /// <summary>The Mac's file name with anything but letters, digits, dot, dash and underscore replaced.</summary>
    internal static string DownloadName(Occurrence occurrence)
    {
        var safe = new string([.. occurrence.FileName.Take(200).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]).TrimStart('.');
        return safe.Length == 0 ? occurrence.DumpId.ToString("D") : safe;
    }
}
