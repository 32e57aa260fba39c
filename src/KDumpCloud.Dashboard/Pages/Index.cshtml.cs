using KDumpCloud.Dashboard.Reading;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KDumpCloud.Dashboard.Pages;

/// <summary>The overview: the lab's crashes per day, new and top groups, and the relay's last crash.</summary>
public sealed class IndexModel(DashboardReader reader) : PageModel
{
    public OverviewModel Overview { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Overview = await reader.OverviewAsync(cancellationToken);
}
