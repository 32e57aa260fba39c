using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Ingest.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KDumpCloud.Dashboard.Pages.Groups;

/// <summary>
/// A group's page, at its fingerprint: what it is, why it is one group, when and where it was seen, and the actions
/// (form posts, anti-forgery checked by Razor Pages) that <c>kdumpcloud crashes</c> also has. A merged group's link
/// redirects to the group it was merged into; an unknown one is the 404 page.
/// </summary>
public sealed class GroupModel(DashboardReader reader, DashboardActions actions) : PageModel
{
    public GroupDetails? Details { get; private set; }

    public async Task<IActionResult> OnGetAsync(string fingerprint, CancellationToken cancellationToken)
    {
        var (details, mergedInto) = await reader.GroupAsync(fingerprint, cancellationToken);
        if (mergedInto is not null)
        {
            return Redirect(DashboardReader.GroupPath(mergedInto));
        }

        if (details is null)
        {
            return Missing(fingerprint);
        }

        Details = details;
        return Page();
    }

    public async Task<IActionResult> OnPostStatusAsync(string fingerprint, string? status, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<GroupStatus>(status, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted))
        {
            return Done(fingerprint, ActionOutcome.Refused("unknown status"));
        }

        return Done(fingerprint, await actions.SetStatusAsync(fingerprint, wanted, cancellationToken));
    }

    public async Task<IActionResult> OnPostMergeAsync(string fingerprint, string? from, CancellationToken cancellationToken) =>
        Done(fingerprint, await actions.MergeAsync(fingerprint, from, cancellationToken));

    /// <summary>Post, redirect, get: the outcome is shown once on the group's page.</summary>
    private IActionResult Done(string fingerprint, ActionOutcome outcome)
    {
        if (outcome.Result == ActionStatus.Missing)
        {
            return Missing(fingerprint);
        }

        TempData["Notice"] = outcome.Message;
        TempData["NoticeKind"] = outcome.Result == ActionStatus.Done ? "done" : "refused";
        return Redirect(DashboardReader.GroupPath(outcome.GroupId ?? fingerprint));
    }

    private PageResult Missing(string fingerprint)
    {
        var page = new PageResult { StatusCode = StatusCodes.Status404NotFound };
        ViewData["Title"] = "Not found";
        ViewData["MissingFingerprint"] = fingerprint;
        return page;
    }
}
