using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace KDumpCloud.Dashboard.Hosting;

/// <summary>
/// Headers on every dashboard response. The content security policy allows only the dashboard's own script and style
/// sheet: even if panic text ever reached a page unencoded, a browser would not run an inline script from it.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
    }
}

/// <summary>Applies <see cref="SecurityHeaders"/> to every page.</summary>
internal sealed class SecurityHeadersPageFilter : IPageFilter
{
    public void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
    }

    public void OnPageHandlerExecuting(PageHandlerExecutingContext context) => SecurityHeaders.Apply(context.HttpContext.Response);

    public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
    {
    }
}
