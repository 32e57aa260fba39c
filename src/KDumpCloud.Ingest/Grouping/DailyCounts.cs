using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Grouping;

/// <summary>
/// A group's occurrences per UTC day over the last <see cref="Days"/> days, oldest first, kept on the group itself so
/// that a trend needs no scan of occurrences. The window ends at the newest day the group was seen, not at today, so
/// the result depends only on which occurrences were folded, never on their order or on the clock: folding, merging
/// and refolding (regrouping) all give the same list.
/// </summary>
public static class DailyCounts
{
    /// <summary>Days kept: the dashboard's 30-day trend and its 90-day group chart.</summary>
    public const int Days = 90;

    /// <summary>The UTC day <paramref name="at"/> falls on.</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary><paramref name="counts"/> with <paramref name="count"/> more on <paramref name="day"/>, trimmed to the window.</summary>
    public static IReadOnlyList<DayCount> Add(IReadOnlyList<DayCount> counts, DateOnly day, long count = 1)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var merged = new SortedDictionary<DateOnly, long>();
        foreach (var entry in counts)
        {
            merged[entry.Day] = merged.GetValueOrDefault(entry.Day) + entry.Count;
        }

        merged[day] = merged.GetValueOrDefault(day) + count;
        return Trim(merged);
    }

    /// <summary>The day-by-day sum of two lists, trimmed to the window (a merge of two groups).</summary>
    public static IReadOnlyList<DayCount> Sum(IReadOnlyList<DayCount> first, IReadOnlyList<DayCount> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var merged = new SortedDictionary<DateOnly, long>();
        foreach (var entry in first.Concat(second))
        {
            merged[entry.Day] = merged.GetValueOrDefault(entry.Day) + entry.Count;
        }

        return Trim(merged);
    }

    /// <summary>Occurrences per day for the <paramref name="days"/> days ending on <paramref name="lastDay"/>, oldest first,
    /// zero where nothing was counted (or the day is outside what the list keeps).</summary>
    public static long[] Series(IReadOnlyList<DayCount> counts, DateOnly lastDay, int days)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        var series = new long[days];
        var first = lastDay.AddDays(1 - days);
        foreach (var entry in counts)
        {
            if (entry.Day >= first && entry.Day <= lastDay)
            {
                series[entry.Day.DayNumber - first.DayNumber] += entry.Count;
            }
        }

        return series;
    }

    private static DayCount[] Trim(SortedDictionary<DateOnly, long> merged)
    {
        if (merged.Count == 0)
        {
            return [];
        }

        var newest = merged.Keys.Last();
        var oldestKept = newest.AddDays(1 - Days);
        return [.. merged.Where(entry => entry.Key >= oldestKept).Select(entry => new DayCount(entry.Key, entry.Value))];
    }
}
