using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Tests.Support;

namespace KDumpCloud.Ingest.Tests.Folding;

/// <summary>A group's per-day counts: folded on each occurrence, summed on a merge, and the same whatever the order.</summary>
public sealed class DailyCountsTests
{
    [Fact]
    public void Fold_CountsEachOccurrenceOnItsUtcDay()
    {
        var group = FoldAll(At(0, 23), At(0, 1), At(1, 0), At(5, 12));

        Assert.Equal([new DayCount(Day(0), 2), new DayCount(Day(1), 1), new DayCount(Day(5), 1)], group.DailyCounts);
        Assert.Equal(group.Count, group.DailyCounts.Sum(d => d.Count));
    }

    [Fact]
    public void Fold_KeepsOnlyTheLast90DaysTheGroupWasSeen_WhateverTheOrder()
    {
        DateTimeOffset[] times = [At(0, 1), At(50, 2), At(95, 3), At(120, 4), At(120, 5), At(30, 6)];
        var forward = FoldAll(times);
        var backward = FoldAll([.. times.Reverse()]);

        Assert.Equal(forward.DailyCounts, backward.DailyCounts);
        Assert.Equal([new DayCount(Day(50), 1), new DayCount(Day(95), 1), new DayCount(Day(120), 2)], forward.DailyCounts);
        Assert.Equal(6, forward.Count); // the count stays exact
    }

    [Fact]
    public void Merge_SumsTheDays_AsFoldingEveryOccurrenceIntoOneGroupWould()
    {
        var a = FoldAll(At(0, 1), At(3, 1), At(100, 1));
        var b = FoldAll([At(3, 2), At(99, 2)], "b");

        var (survivor, absorbed) = GroupFolding.Merge(a, b, TestOccurrences.Start);
        var together = FoldAll(At(0, 1), At(3, 1), At(100, 1), At(3, 2), At(99, 2));

        Assert.Equal(together.DailyCounts, survivor.DailyCounts);
        Assert.Equal(b.DailyCounts, absorbed.DailyCounts);
    }

    [Fact]
    public void Series_PlacesDaysAndZeroesTheRest()
    {
        var group = FoldAll(At(0, 1), At(2, 1), At(2, 5));

        Assert.Equal([1, 0, 2, 0], DailyCounts.Series(group.DailyCounts, Day(3), 4));
        Assert.Equal([2, 0], DailyCounts.Series(group.DailyCounts, Day(3), 2));
    }

    [Fact]
    public void NewGroup_KeepsTheFirstPanicMessage_Bounded()
    {
        var occurrence = TestOccurrences.For("m1") with { PanicMessage = new string('x', 10_000) };
        var (group, _) = GroupFolding.Fold(null, occurrence, TestOccurrences.Start);
        Assert.Equal(CrashGroup.MaxMessageLength, group.Message!.Length);
    }

    private static CrashGroup FoldAll(params DateTimeOffset[] times) => FoldAll(times, "a");

    private static CrashGroup FoldAll(DateTimeOffset[] times, string id)
    {
        CrashGroup? group = null;
        foreach (var at in times)
        {
            (group, _) = GroupFolding.Fold(group, TestOccurrences.For(id, receivedAt: at), TestOccurrences.Start);
        }

        return group!;
    }

    private static DateTimeOffset At(int day, int hour) => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day).AddHours(hour);

    private static DateOnly Day(int day) => new DateOnly(2026, 1, 1).AddDays(day);
}
