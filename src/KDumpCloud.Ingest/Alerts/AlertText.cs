using System.Globalization;
using System.Text;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// The words every format shares (titles, facts, the digest's sentence) and the one way long text is cut: at a
/// character boundary (never inside a surrogate pair), control characters other than line breaks and tabs removed,
/// an ellipsis saying it was cut. Linear in the text's length.
/// </summary>
public static class AlertText
{
    private const string Ellipsis = "…";

    /// <summary><paramref name="text"/> in at most <paramref name="max"/> characters; null stays null.</summary>
    public static string? Cut(string? text, int max)
    {
        if (text is null)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var clean = Clean(text, max + 1);
        if (clean.Length <= max)
        {
            return clean;
        }

        var end = max - Ellipsis.Length;
        if (end > 0 && char.IsHighSurrogate(clean[end - 1]))
        {
            end--;
        }

        return string.Concat(clean.AsSpan(0, Math.Max(end, 0)), Ellipsis);
    }

    /// <summary>The headline: what happened and to which crash.</summary>
    public static string Title(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return notice.Event switch
        {
            AlertEvent.New => $"New crash: {notice.Signature}",
            AlertEvent.Regression => $"Regression: {notice.Signature}",
            AlertEvent.Spike => $"Spiking: {notice.Signature}",
            _ => notice.Signature,
        };
    }

    /// <summary>One line under the title: why this alert (regression reason, spike count) and the totals.</summary>
    public static string Summary(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var why = notice.Event switch
        {
            AlertEvent.New => "first seen now",
            AlertEvent.Regression => notice.RegressionReason ?? "seen again",
            AlertEvent.Spike => $"{notice.SpikeCount} times in {Duration(notice.SpikeWindow ?? TimeSpan.Zero)}",
            _ => "",
        };
        return $"{why}; {Occurrences(notice.Count)} on {Macs(notice)}";
    }

    /// <summary>The facts each format lays out as fields, in order; values may be long (formats cut them).</summary>
    public static IReadOnlyList<(string Name, string Value)> Facts(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var facts = new List<(string, string)>
        {
            ("Kind", notice.Kind),
            ("Culprit", notice.Culprit ?? "unknown"),
            ("Mac", notice.Model is null ? notice.Machine : $"{notice.Model} ({notice.Machine})"),
            ("OS build", notice.OsBuild ?? "unknown"),
            ("First seen", Timestamp(notice.FirstSeen)),
            ("Count", notice.Count.ToString(CultureInfo.InvariantCulture)),
            ("Macs affected", MacsCount(notice)),
        };
        return facts;
    }

    /// <summary>The digest's sentence: "and 37 more crashes in 12 groups".</summary>
    public static string DigestTitle(AlertDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return $"and {digest.Alerts} more {(digest.Alerts == 1 ? "crash" : "crashes")} in {digest.Groups} {(digest.Groups == 1 ? "group" : "groups")}";
    }

    /// <summary>One line per listed group of a digest.</summary>
    public static string DigestLine(DigestGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var times = group.Alerts == 1 ? "" : $" ×{group.Alerts}";
        return $"{AlertEvents.Name(group.Event)}{times}: {group.Signature} (count {group.Count})";
    }

    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Occurrences(long count) => count == 1 ? "1 occurrence" : $"{count} occurrences";

    private static string Macs(AlertNotice notice) => notice.Machines == 1 && !notice.MachinesSaturated ? "1 Mac" : $"{MacsCount(notice)} Macs";

    private static string MacsCount(AlertNotice notice) =>
        notice.Machines.ToString(CultureInfo.InvariantCulture) + (notice.MachinesSaturated ? "+" : "");

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 ? $"{span.TotalHours:0} h" : $"{span.TotalMinutes:0} min";

    /// <summary>Drops control characters other than \n and \t, reading at most <paramref name="limit"/> kept ones.</summary>
    private static string Clean(string text, int limit)
    {
        var builder = new StringBuilder(Math.Min(text.Length, limit));
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not '\n' and not '\t')
            {
                continue;
            }

            builder.Append(c);
            if (builder.Length == limit)
            {
                break;
            }
        }

        return builder.ToString();
    }
}
