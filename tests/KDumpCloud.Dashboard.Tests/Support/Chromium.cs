namespace KDumpCloud.Dashboard.Tests.Support;

/// <summary>
/// The Chromium the browser tests drive: Debian's (<c>apt-get install chromium</c>), since Playwright's own browser
/// download is not reachable here. <c>KDUMPCLOUD_CHROMIUM</c> names another executable.
/// </summary>
public static class Chromium
{
    public const string Variable = "KDUMPCLOUD_CHROMIUM";

    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"];

    /// <summary>The executable, or null when there is none.</summary>
    public static string? Path
    {
        get
        {
            var chosen = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrWhiteSpace(chosen))
            {
                return File.Exists(chosen) ? chosen : null;
            }

            return Candidates.FirstOrDefault(File.Exists);
        }
    }

    public static string WhyMissing =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen
            ? $"browser test skipped: {Variable}={chosen} does not exist"
            : $"browser test skipped: no Chromium at {string.Join(" or ", Candidates)} (apt-get install -y --no-install-recommends chromium, or set {Variable})";
}

/// <summary>A fact that drives Chromium; skipped, saying why, when there is no Chromium.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.Path is null)
        {
            Skip = Chromium.WhyMissing;
        }
    }
}
