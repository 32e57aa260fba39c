using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace KDumpCloud.Dashboard.Rendering;

/// <summary>Times as the pages write them: a <c>&lt;time&gt;</c> element with the UTC instant, shown in UTC until the
/// page's script rewrites it in the viewer's own zone (so the page is right without script too).</summary>
public static class Times
{
    public static IHtmlContent Element(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var shown = utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return new HtmlString($"<time datetime=\"{iso}\">{shown}</time>");
    }

    public static IHtmlContent Element(DateTimeOffset? at) => at is { } value ? Element(value) : new HtmlString("—");

    /// <summary>A byte count for people (KiB, MiB, GiB).</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1073741824.0).ToString("0.##", CultureInfo.InvariantCulture) + " GiB",
    };
}
