using System.Net;
using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;
using static KDumpCloud.Relay.Tests.Retention.RetentionTestSupport;

namespace KDumpCloud.Relay.Tests.Retention;

/// <summary>Retention in the real relay: dumps sent over loopback, uploaded to Azurite, then removed from the spool
/// (real files) by the policy. One Azurite for the class; each test has its own container, queue and spool.</summary>
public sealed class SpoolRetentionTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PastUploadedMaxBytes_OldestRemovedFirst_NewestKept()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        // Two 150,000-byte dumps fit under 400,000 bytes, three do not.
        await using var relay = await RelayUnderTest.StartAsync(Settings(target, new() { ["Retention:UploadedMaxBytes"] = "400000" }));
        string[] names = [.. Enumerable.Range(1, 5).Select(i => $"core-bytes-{i}")];

        for (var i = 0; i < names.Length; i++)
        {
            await relay.SendUntilUploadedAsync(names[i], 150_000, 100 + i);
        }

        await Eventually.TrueAsync(() => !relay.Holds(names[2]), 20_000, "the third oldest uploaded dump was never removed");
        Assert.Empty(relay.Retention().RunPass().Removed);
        Assert.Equal([false, false, false, true, true], names.Select(relay.Holds));
        Assert.Equal(2, relay.Spool.Count);
        var messages = await target.DrainAsync(deadline.Token);
        Assert.Equal(names, messages.Select(entry => entry.Message.FileName).Order());
    }

    [Fact]
    public async Task PastUploadedMaxAge_OnlyTheOldOneRemoved()
    {
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        var clock = new ShiftedClock();
        await using var relay = await RelayUnderTest.StartAsync(Settings(target, new()
        {
            ["Retention:UploadedMaxAge"] = "1.00:00:00",
            ["Retention:Interval"] = "1.00:00:00",
        }), time: clock);

        await relay.SendUntilUploadedAsync("core-age-old", 50_000, 1);
        clock.Advance(TimeSpan.FromHours(20));
        await relay.SendUntilUploadedAsync("core-age-new", 50_000, 2);
        relay.Retention().RunPass();
        Assert.True(relay.Holds("core-age-old"), "a dump uploaded 20 hours ago was removed under a 1-day maximum age");

        clock.Advance(TimeSpan.FromHours(5));
        relay.Retention().RunPass();

        Assert.False(relay.Holds("core-age-old"), "a dump uploaded 25 hours ago stayed past a 1-day maximum age");
        Assert.True(relay.Holds("core-age-new"), "a dump uploaded 5 hours ago was removed under a 1-day maximum age");
    }

    [Fact]
    public async Task SpoolFullOfUploadedDumps_AtStart_OldestMakeRoomAndANewDumpGetsInAndIsUploaded()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        string[] names = [.. Enumerable.Range(1, 4).Select(i => $"core-full-{i}")];
        long full;
        await using (var relay = await RelayUnderTest.StartAsync(Settings(target, []), dataDirectory: dataDirectory))
        {
            for (var i = 0; i < names.Length; i++)
            {
                await relay.SendUntilUploadedAsync(names[i], 200_000, 200 + i);
            }

            full = relay.Spool.UsedBytes;
        }

        // Restarted with a quota the uploaded dumps fill exactly: without retention every request is refused.
        const long headroom = 200_000;
        await using (var relay = await RelayUnderTest.StartAsync(Settings(target, new()
        {
            ["Relay:SpoolQuotaBytes"] = Text(full),
            ["Retention:HeadroomBytes"] = Text(headroom),
            ["Retention:Interval"] = "1.00:00:00",
        }), dataDirectory: dataDirectory))
        {
            Assert.False(relay.Holds(names[0]), "the oldest uploaded dump was not removed at start");
            Assert.True(relay.RoomUnderQuota(full) >= headroom, $"only {relay.RoomUnderQuota(full)} bytes of room after the start");

            var sent = await new KdumpSender(new KdumpSendOptions
            {
                Server = relay.EndPoint,
                LocalAddress = IPAddress.Loopback,
                FileName = "core-full-new",
                Content = TestContent.Random(150_000, 299),
                Generation = KernelGeneration.Xnu7195Plus,
                Timeouts = KernelTimeouts.Kernel.Scaled(10),
                MaxDuration = TimeSpan.FromSeconds(60),
            }).SendAsync(deadline.Token);
            Assert.True(sent.Outcome == SendOutcome.Completed, $"{sent.Outcome}: {sent.ErrorText} {sent.Detail}");
            var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-full-new", 30_000);

            // Its upload made the spool short of room again: the next oldest goes, and no more.
            await Eventually.TrueAsync(() => !relay.Holds(names[1]), 20_000, "the next oldest was not removed to keep room");
            Assert.Empty(relay.Retention().RunPass().Removed);
            Assert.Equal([false, false, true, true], names.Select(relay.Holds));
            Assert.True(relay.Holds("core-full-new"));
            Assert.True(relay.RoomUnderQuota(full) >= headroom);
            Assert.Equal(await File.ReadAllBytesAsync(relay.DumpPath("core-full-new"), deadline.Token),
                (await target.Blob(journal).DownloadContentAsync(deadline.Token)).Value.Content.ToArray());
        }

        var messages = await target.DrainAsync(deadline.Token);
        Assert.Equal([.. names, "core-full-new"], messages.Select(entry => entry.Message.FileName).Order());
    }

    [Fact]
    public async Task SpoolTakesTwiceItsQuotaOfDumps_RoomIsKeptAndEveryDumpCompletesAndIsUploaded()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        const long quota = 1 << 20;
        await using var relay = await RelayUnderTest.StartAsync(Settings(target, new() { ["Relay:SpoolQuotaBytes"] = Text(quota) }));
        var headroom = relay.Retention().HeadroomBytes;
        Assert.Equal(MaxDumpBytes, headroom); // the default rule: one largest dump, at most a quarter of the spool
        string[] names = [.. Enumerable.Range(1, 14).Select(i => $"core-room-{i:00}")];

        for (var i = 0; i < names.Length; i++)
        {
            // Every send must complete: SendAllAsync fails on an ERROR from a full spool.
            await relay.SendUntilUploadedAsync(names[i], 150_000, 300 + i);
            await Eventually.TrueAsync(() => relay.RoomUnderQuota(quota) >= headroom, 20_000,
                $"after {names[i]} the spool has {relay.RoomUnderQuota(quota)} bytes of room, less than {headroom}");
        }

        var held = names.Select(relay.Holds).ToArray();
        Assert.Equal(held.Order(), held); // removed oldest first: what is left is the newest
        Assert.False(held[0]);
        Assert.True(held[^1]);
        var messages = await target.DrainAsync(deadline.Token);
        Assert.Equal(names, messages.Select(entry => entry.Message.FileName).Order());
    }

    [Fact]
    public async Task DumpsNotYetSent_AreNeverWeighed()
    {
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        DumpJournal uploaded;
        await using (var relay = await RelayUnderTest.StartAsync(Settings(target, []), dataDirectory: dataDirectory))
        {
            uploaded = await relay.SendUntilUploadedAsync("core-committed-only", 60_000, 401);
        }

        // As if the relay had stopped between the commit and the message: retention must wait for the message.
        new JournalFiles(Path.Combine(dataDirectory, "journal")).Write(
            uploaded with { Upload = uploaded.Upload! with { State = UploadStates.Committed } }, durable: true);
        var queue = target.RawQueue;
        await queue.ClearMessagesAsync();

        await using (var relay = await RelayUnderTest.StartAsync(Settings(target, new()
        {
            ["Retention:UploadedMaxAge"] = "00:00:00",
            ["Retention:UploadedMaxBytes"] = "0",
            ["Retention:Interval"] = "1.00:00:00",
        }), dataDirectory: dataDirectory))
        {
            // Removed only once the restarted uploader has sent its message (age 0 removes it at once after).
            await Eventually.TrueAsync(() => !relay.Holds("core-committed-only"), 20_000, "the dump was not removed after its message");
        }

        var (_, message) = Assert.Single(await target.DrainAsync(CancellationToken.None));
        Assert.Equal(uploaded.DumpId, message.DumpId);
    }
}
