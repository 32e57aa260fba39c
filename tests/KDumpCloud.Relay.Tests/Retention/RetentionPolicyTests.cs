using KDumpCloud.Relay.Options;
using KDumpCloud.Relay.Retention;

namespace KDumpCloud.Relay.Tests.Retention;

/// <summary>The rules alone: which uploaded dumps go, in which order, and why.</summary>
public class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly RelayOptions Relay = new() { SpoolQuotaBytes = 10_000, MaxDumpBytes = 4_000, MinFreeDiskBytes = 1_000 };

    private static readonly SpoolRoom Roomy = new(UsedBytes: 0, AvailableDiskBytes: long.MaxValue / 2);

    private static RetentionPolicy Policy(long uploadedMaxBytes = long.MaxValue, TimeSpan? maxAge = null, long? headroom = null) =>
        new(new RetentionOptions { UploadedMaxBytes = uploadedMaxBytes, UploadedMaxAge = maxAge ?? TimeSpan.FromDays(7), HeadroomBytes = headroom }, Relay);

    /// <summary>A dump that arrived <paramref name="arrivedHoursAgo"/> hours ago and was uploaded
    /// <paramref name="sentHoursAgo"/> hours ago.</summary>
    private static UploadedDump Dump(string name, double arrivedHoursAgo, long bytes = 1_000, double? sentHoursAgo = null)
    {
        var arrived = Now.AddHours(-arrivedHoursAgo);
        return new UploadedDump(Guid.CreateVersion7(arrived), name, arrived, Now.AddHours(-(sentHoursAgo ?? arrivedHoursAgo)), bytes);
    }

    private static string[] Names(IReadOnlyList<(UploadedDump Dump, RemovalReason Why)> chosen) => [.. chosen.Select(entry => entry.Dump.FileName)];

    [Theory]
    [InlineData(4_000, 10_000, 2_500)] // a quarter of the spool caps it
    [InlineData(1_000, 10_000, 1_000)] // room for one largest dump
    public void DefaultHeadroom_OneLargestDumpAtMostAQuarterOfTheSpool(long maxDump, long quota, long expected)
    {
        var relay = new RelayOptions { MaxDumpBytes = maxDump, SpoolQuotaBytes = quota };

        Assert.Equal(expected, new RetentionPolicy(new RetentionOptions(), relay).HeadroomBytes);
        Assert.Equal(0, new RetentionPolicy(new RetentionOptions { HeadroomBytes = 0 }, relay).HeadroomBytes);
    }

    [Fact]
    public void WithinEveryLimit_NothingIsRemoved()
    {
        var uploaded = new[] { Dump("a", 30), Dump("b", 20), Dump("c", 10) };

        Assert.Empty(Policy(uploadedMaxBytes: 3_000).Choose(uploaded, new SpoolRoom(7_500, 4_000), Now));
    }

    [Fact]
    public void PastUploadedMaxBytes_OldestArrivalsGoFirst_WhateverTheOrderGiven()
    {
        var uploaded = new[] { Dump("newest", 1), Dump("oldest", 30), Dump("middle", 5), Dump("second", 20) };

        var chosen = Policy(uploadedMaxBytes: 2_500).Choose(uploaded, Roomy, Now);

        Assert.Equal(["oldest", "second"], Names(chosen));
        Assert.All(chosen, entry => Assert.Equal(RemovalReason.Bytes, entry.Why));
    }

    [Fact]
    public void SameArrivalTime_TheEarlierDumpIdGoesFirst()
    {
        var arrived = Now.AddHours(-1);
        var first = new UploadedDump(Guid.CreateVersion7(arrived.AddSeconds(-1)), "started-first", arrived, arrived, 1_000);
        var second = new UploadedDump(Guid.CreateVersion7(arrived), "started-second", arrived, arrived, 1_000);

        var chosen = Policy(uploadedMaxBytes: 1_000).Choose([second, first], Roomy, Now);

        Assert.Equal(["started-first"], Names(chosen));
    }

    [Fact]
    public void Age_CountsFromTheUpload_NotTheArrival()
    {
        // Arrived 10 days ago but uploaded an hour ago (a backlog after an outage): it keeps its whole window.
        var lateUpload = Dump("late-upload", arrivedHoursAgo: 240, sentHoursAgo: 1);
        var expired = Dump("expired", arrivedHoursAgo: 30, sentHoursAgo: 25);
        var fresh = Dump("fresh", arrivedHoursAgo: 2);

        var chosen = Policy(maxAge: TimeSpan.FromDays(1)).Choose([lateUpload, expired, fresh], Roomy, Now);

        var (dump, why) = Assert.Single(chosen);
        Assert.Equal("expired", dump.FileName);
        Assert.Equal(RemovalReason.Age, why);
    }

    [Fact]
    public void ZeroMaxAge_RemovesEveryUploadedDump()
    {
        var chosen = Policy(maxAge: TimeSpan.Zero).Choose([Dump("a", 0), Dump("b", 0.001)], Roomy, Now);

        Assert.Equal(["b", "a"], Names(chosen));
    }

    [Fact]
    public void SpoolShortOfHeadroom_OldestGoUntilTheRoomIsBack()
    {
        // Quota 10,000 and 9,200 used: 800 left, headroom 2,500, so 1,700 must go: two dumps of 1,000.
        var uploaded = new[] { Dump("c", 10), Dump("a", 30), Dump("b", 20) };

        var chosen = Policy().Choose(uploaded, new SpoolRoom(9_200, long.MaxValue / 2), Now);

        Assert.Equal(["a", "b"], Names(chosen));
        Assert.All(chosen, entry => Assert.Equal(RemovalReason.SpoolSpace, entry.Why));
    }

    [Fact]
    public void DiskShortOfHeadroom_OldestGoUntilTheRoomIsBack()
    {
        // 1,600 free, 1,000 reserved: 600 usable, headroom 2,000, so 1,400 must go: two dumps of 1,000.
        var uploaded = new[] { Dump("a", 30), Dump("b", 20), Dump("c", 10) };

        var chosen = Policy(headroom: 2_000).Choose(uploaded, new SpoolRoom(UsedBytes: 3_000, AvailableDiskBytes: 1_600), Now);

        Assert.Equal(["a", "b"], Names(chosen));
        Assert.All(chosen, entry => Assert.Equal(RemovalReason.DiskSpace, entry.Why));
    }

    [Fact]
    public void ShortByMoreThanEveryUploadedDump_AllGoAndNoMore()
    {
        var chosen = Policy().Choose([Dump("a", 3), Dump("b", 2)], new SpoolRoom(10_000, 0), Now);

        Assert.Equal(["a", "b"], Names(chosen));
    }

    [Fact]
    public void EachDumpIsNamedWithTheFirstRuleThatWantsIt()
    {
        var uploaded = new[] { Dump("old", 50, sentHoursAgo: 49), Dump("big-1", 30, bytes: 3_000), Dump("big-2", 20, bytes: 3_000), Dump("kept", 1) };

        // Age takes "old"; 7,000 uploaded bytes stay, over 4,000, so "big-1" goes for bytes; then the 500 left under
        // the quota plus the 4,000 freed pass the 2,500 headroom: nothing more.
        var chosen = Policy(uploadedMaxBytes: 4_000, maxAge: TimeSpan.FromDays(2)).Choose(uploaded, new SpoolRoom(9_500, long.MaxValue / 2), Now);

        Assert.Equal(new[] { ("old", RemovalReason.Age), ("big-1", RemovalReason.Bytes) }, chosen.Select(entry => (entry.Dump.FileName, entry.Why)));
    }
}
