using KDumpCloud.Dashboard.Tests.Support;
using KDumpCloud.Ingest.Model;
using Microsoft.Playwright;

namespace KDumpCloud.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard in headless Chromium (Playwright, Debian's browser) on real Kestrel, over a store filled through the
/// real ingest path: a person clicks through list → filter → group page → resolve → merge, and what the pages show is
/// checked against the store. Screenshots of the main pages are saved (<see cref="Screenshots"/>).
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly LabStore _lab = new();
    private DashboardServer _server = null!;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (Chromium.Path is null)
        {
            return;
        }

        await _lab.AddCorpusAsync();
        _server = await DashboardServer.StartAsync(_lab);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            Timeout = (float)Wait.TotalMilliseconds,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _lab.Dispose();
    }

    [BrowserFact]
    public async Task ListFilterGroupResolveMerge_ShowsAndChangesWhatTheStoreHolds()
    {
        var now = DateTimeOffset.UtcNow;
        var a = await _lab.AddTextAsync("paniclog-first", PanicTexts.Intel("AppleBrowserFirst", 1, "24A335"), now.AddHours(-2), "10.0.50.1:1069");
        await _lab.AddTextAsync("paniclog-first-again", PanicTexts.Intel("AppleBrowserFirst", 2, "24A335"), now.AddDays(-1), "10.0.50.2:1069");
        var b = await _lab.AddTextAsync("paniclog-second", PanicTexts.Intel("AppleBrowserSecond", 3, "24A335"), now.AddHours(-1), "10.0.50.3:1069");
        var page = await NewPageAsync();

        // Overview.
        await page.GotoAsync(_server.Address + "");
        var groups = await _lab.Store.ListGroupsAsync(GroupOrder.Newest, 10_000);
        Assert.Equal(groups.Count(g => g.Status == GroupStatus.Open).ToString(System.Globalization.CultureInfo.InvariantCulture),
            await page.Locator("#open-groups").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Screenshots.Path("overview"), FullPage = true });

        // The list: one row per live group, counts as stored, times turned into the viewer's zone by the script.
        await NavigateByAsync(page, () => page.GetByRole(AriaRole.Link, new() { Name = "Crash groups" }).First.ClickAsync(), "**/groups");
        Assert.Equal(groups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#total").InnerTextAsync());
        Assert.True(await page.Locator("time.local").CountAsync() > 0);
        await page.ScreenshotAsync(new() { Path = Screenshots.Path("groups"), FullPage = true });

        // Filter: text search, then the OS build select (which submits on change).
        await page.Locator("input[name=q]").FillAsync("AppleBrowser");
        await NavigateByAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync(), "**/groups?q=AppleBrowser*");
        Assert.Equal(2, await page.Locator("#groups tbody tr").CountAsync());
        await NavigateByAsync(page, () => page.Locator("select[name=osBuild]").SelectOptionAsync("24A335"), "**osBuild=24A335*");
        var rows = await page.Locator("#groups tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.fingerprint)");
        Assert.Equal(new[] { a.GroupId, b.GroupId }.Order(), rows.Order());

        // The group page.
        await NavigateByAsync(page, () => page.Locator($"tr[data-fingerprint='{a.GroupId}'] td.signature a").ClickAsync(), "**/groups/" + a.GroupId);
        var stored = (await _lab.Store.FindGroupAsync(a.GroupId))!;
        Assert.Equal(stored.Signature, await page.Locator("#signature").InnerTextAsync());
        Assert.Equal("2", await page.Locator("#count").InnerTextAsync());
        Assert.Equal(2, await page.Locator("#occurrences tbody tr").CountAsync());
        Assert.Equal(2L, await page.Locator("#group-chart rect[data-count]").EvaluateAllAsync<long>(
            "bars => bars.reduce((sum, bar) => sum + Number(bar.dataset.count), 0)"));
        Assert.Contains("com.example.driver.test", await page.Locator("#kexts").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Screenshots.Path("group"), FullPage = true });

        // Resolve.
        await page.Locator("#resolve").ClickAsync();
        await page.Locator(".notice").WaitForAsync();
        Assert.Equal(GroupStatus.Resolved, (await _lab.Store.FindGroupAsync(a.GroupId))!.Status);
        Assert.Equal("resolved", await page.Locator(".lead .status").InnerTextAsync());
        Assert.Equal(1, await page.Locator("#reopen").CountAsync());

        // Merge the second group into this one (the page asks first).
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator("#merge-from").FillAsync(b.GroupId);
        await page.Locator("#merge").ClickAsync();
        await page.Locator(".notice.done").WaitForAsync();
        Assert.Contains("merged " + b.GroupId, await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(GroupStatus.Merged, (await _lab.Store.FindGroupAsync(b.GroupId))!.Status);
        Assert.Equal("3", await page.Locator("#count").InnerTextAsync());
        Assert.Equal(3, await page.Locator("#occurrences tbody tr").CountAsync());

        // The merged group's old link lands on the survivor.
        await page.GotoAsync(_server.Address + "groups/" + b.GroupId);
        Assert.EndsWith("/groups/" + a.GroupId, page.Url, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task HostilePanicText_RunsNoScriptAndShowsAsText()
    {
        var hostile = await _lab.AddTextAsync("paniclog-hostile", PanicTexts.Intel(PanicTexts.Hostile, 4), DateTimeOffset.UtcNow.AddMinutes(-5));
        var page = await NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        foreach (var path in new[] { "groups/" + hostile.GroupId, "groups?q=kdcPwned", "" })
        {
            await page.GotoAsync(_server.Address + path);
            Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.kdcPwned"));
            Assert.Equal(0, await page.Locator("main img, main b").CountAsync());
        }

        await page.GotoAsync(_server.Address + "groups/" + hostile.GroupId);
        Assert.Contains("<script>window.kdcPwned=1</script>", await page.Locator("#message").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, dialogs);
        await page.ScreenshotAsync(new() { Path = Screenshots.Path("hostile-panic"), FullPage = true });
    }

    [BrowserFact]
    public async Task UnknownFingerprint_ShowsThe404Page()
    {
        var page = await NewPageAsync();
        var response = await page.GotoAsync(_server.Address + "groups/00000000000000000000000000000000");
        Assert.Equal(404, response!.Status);
        Assert.Contains("There is no crash group", await page.Locator("#missing").InnerTextAsync(), StringComparison.Ordinal);
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            TimezoneId = "America/Los_Angeles",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout((float)Wait.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    /// <summary>Does what navigates and waits for the page it leads to, started before the action so a fast navigation
    /// is not missed, and until its DOM is ready (the load event can trail on a loaded machine).</summary>
    private static async Task NavigateByAsync(IPage page, Func<Task> action, string url)
    {
        var navigated = page.WaitForURLAsync(url, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await action();
        await navigated;
    }
}
