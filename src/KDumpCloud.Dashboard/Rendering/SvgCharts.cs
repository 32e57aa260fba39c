using System.Globalization;
using System.Text;

namespace KDumpCloud.Dashboard.Rendering;

/// <summary>
/// The dashboard's charts, drawn here as inline SVG: no script, no library, a few hundred bytes each. The markup holds
/// only numbers and dates this class formats, never text from a panic, so it is safe to emit unencoded.
/// </summary>
public static class SvgCharts
{
    /// <summary>A small bar chart of <paramref name="series"/> for a list row (one bar per day, tallest bar full height).</summary>
    public static string Sparkline(IReadOnlyList<long> series, int width = 120, int height = 24)
    {
        ArgumentNullException.ThrowIfNull(series);
        var total = series.Sum();
        var max = Math.Max(1, series.Count == 0 ? 0 : series.Max());
        var bar = series.Count == 0 ? 0 : (double)width / series.Count;
        var svg = new StringBuilder(64 + (series.Count * 64));
        svg.Append(Invariant($"<svg class=\"spark\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{total} in the last {series.Count} days\">"));
        svg.Append(Invariant($"<line x1=\"0\" y1=\"{height - 0.5}\" x2=\"{width}\" y2=\"{height - 0.5}\" class=\"axis\"/>"));
        for (var i = 0; i < series.Count; i++)
        {
            if (series[i] == 0)
            {
                continue;
            }

            var h = Math.Max(2, Math.Round(series[i] * (height - 1) / (double)max, 1));
            svg.Append(Invariant($"<rect x=\"{Math.Round(i * bar, 2)}\" y=\"{height - 1 - h}\" width=\"{Math.Round(Math.Max(1, bar - 1), 2)}\" height=\"{h}\"/>"));
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>A labelled bar chart of occurrences per day, the last bar on <paramref name="lastDay"/>; each bar's
    /// tooltip gives its day and count.</summary>
    public static string DailyBars(IReadOnlyList<long> series, DateOnly lastDay, string label, int width = 720, int height = 160)
    {
        ArgumentNullException.ThrowIfNull(series);
        const int left = 36;
        const int bottom = 20;
        const int top = 8;
        var plotWidth = width - left - 4;
        var plotHeight = height - bottom - top;
        var max = Math.Max(1, series.Count == 0 ? 0 : series.Max());
        var bar = series.Count == 0 ? 0 : (double)plotWidth / series.Count;
        var first = lastDay.AddDays(1 - series.Count);
        var svg = new StringBuilder(256 + (series.Count * 128));
        svg.Append(Invariant($"<svg class=\"bars\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Escape(label)}\">"));
        svg.Append(Invariant($"<line x1=\"{left}\" y1=\"{top + plotHeight + 0.5}\" x2=\"{width - 4}\" y2=\"{top + plotHeight + 0.5}\" class=\"axis\"/>"));
        svg.Append(Invariant($"<text x=\"{left - 4}\" y=\"{top + 8}\" text-anchor=\"end\">{max}</text>"));
        svg.Append(Invariant($"<text x=\"{left - 4}\" y=\"{top + plotHeight}\" text-anchor=\"end\">0</text>"));
        for (var i = 0; i < series.Count; i++)
        {
            var day = first.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var h = series[i] == 0 ? 0 : Math.Max(2, Math.Round(series[i] * plotHeight / (double)max, 1));
            svg.Append(Invariant($"<rect x=\"{Math.Round(left + (i * bar), 2)}\" y=\"{top + plotHeight - h}\" width=\"{Math.Round(Math.Max(1, bar - 1), 2)}\" height=\"{h}\" data-day=\"{day}\" data-count=\"{series[i]}\"><title>{day}: {series[i]}</title></rect>"));
        }

        foreach (var i in (int[])[0, series.Count / 2, series.Count - 1])
        {
            if (i < 0 || i >= series.Count)
            {
                continue;
            }

            var anchor = i == 0 ? "start" : i == series.Count - 1 ? "end" : "middle";
            var x = Math.Round(left + (i * bar) + (i == series.Count - 1 ? bar : i == 0 ? 0 : bar / 2), 2);
            svg.Append(Invariant($"<text x=\"{x}\" y=\"{height - 4}\" text-anchor=\"{anchor}\">{first.AddDays(i).ToString("MMM d", CultureInfo.InvariantCulture)}</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);
}
