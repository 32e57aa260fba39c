using System.Reflection;
using KDumpCloud.Dashboard.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KDumpCloud.Dashboard.Api;

/// <summary>The dashboard's one script and one style sheet, served from the assembly's resources.</summary>
internal static class DashboardAssets
{
    public const string ScriptPath = "/assets/dashboard.js";
    public const string StylePath = "/assets/dashboard.css";

    private static readonly Lazy<byte[]> Script = new(() => Read("dashboard.js"));
    private static readonly Lazy<byte[]> Style = new(() => Read("dashboard.css"));

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ScriptPath, (HttpContext context) => Serve(context, Script.Value, "text/javascript; charset=utf-8"));
        endpoints.MapGet(StylePath, (HttpContext context) => Serve(context, Style.Value, "text/css; charset=utf-8"));
    }

    private static IResult Serve(HttpContext context, byte[] content, string type)
    {
        SecurityHeaders.Apply(context.Response);
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(content, type);
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the dashboard's resource {name} is missing from its assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
