using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KDumpCloud.Dashboard.Pages;

/// <summary>The 404 page for any path the dashboard does not have (a group page renders its own when the
/// fingerprint names no group).</summary>
public sealed class NotFoundModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status404NotFound;
}
