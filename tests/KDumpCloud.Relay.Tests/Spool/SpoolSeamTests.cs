using System.Security.Cryptography;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Spool;

/// <summary>The seam the uploader builds on: what the spool publishes while a dump arrives, the journal's single
/// writer, and releasing a dump.</summary>
public class SpoolSeamTests
{
    [Fact]
    public async Task MachOSeekPattern_PublishesHighWaterMarkRewrittenRangeEndAndHash()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var feed = relay.Spool.Subscribe();
        using var mac = new RawKdumpPeer(relay.EndPoint);

        // §7, pre-10.11: header at 0, SEEK past the header region, region bytes, SEEK back to fill a command, EOF.
        await mac.RequestAsync(RawKdumpPeer.LegacyWrq("core-macho"));
        var progress = await feed.Started.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(100, 1)), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Seek32(2, 4096), 2);
        await mac.ExchangeAsync(RawKdumpPeer.Data(3, TestContent.Random(500, 2)), 3);
        await mac.ExchangeAsync(RawKdumpPeer.Seek32(4, 10), 4);
        await mac.ExchangeAsync(RawKdumpPeer.Data(5, TestContent.Random(20, 3)), 5);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(6), 6);

        await Eventually.TrueAsync(() => progress.IsFinished);
        var stored = await File.ReadAllBytesAsync(relay.DumpPath("core-macho"));
        Assert.Equal("core-macho", progress.FileName);
        Assert.Equal(DumpState.Complete, progress.State);
        Assert.Equal(4596, stored.Length);
        Assert.Equal(stored.Length, progress.WrittenLength);
        Assert.Equal([new ByteRange(10, 20)], progress.TakeRewrittenRanges());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), progress.Sha256);
        Assert.Equal(progress.Sha256, relay.Spool.Find(progress.DumpId)!.Sha256);
    }

    [Fact]
    public async Task UpdateJournal_WhileTheTransferAndTheHasherWrite_KeepsEveryStagesFields()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var feed = relay.Spool.Subscribe();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-shared"));
        var dumpId = (await feed.Started.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5))).DumpId;

        // Another stage records its state over and over while the transfer finishes and the hash is written.
        using var stop = new CancellationTokenSource();
        var updates = 0;
        var uploader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var staged = ++updates;
                relay.Spool.UpdateJournal(dumpId, journal => journal with
                {
                    Upload = new DumpUpload { State = "staging", BytesStaged = staged, UpdatedAt = DateTimeOffset.UnixEpoch },
                });
                await Task.Yield();
            }
        });
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(1000, 4)), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        await relay.WaitForJournalAsync("core-shared", journal => journal.Sha256 is not null);
        await stop.CancelAsync();
        await uploader;

        var final = relay.Spool.ReadJournal("core-shared")!;
        Assert.Equal(DumpState.Complete, final.State);
        Assert.NotNull(final.Sha256);
        Assert.Equal(updates, final.Upload!.BytesStaged);
        Assert.Equal(dumpId, final.DumpId);
    }

    [Fact]
    public async Task TryRelease_FinishedDump_DeletesItsFilesAndFreesTheQuota()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var feed = relay.Spool.Subscribe();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-done"));
        var progress = await feed.Started.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(1406, 5)), 1);

        Assert.False(relay.Spool.TryRelease(progress.DumpId, out var problem));
        Assert.Contains("still arriving", problem, StringComparison.Ordinal);

        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        await Eventually.TrueAsync(() => progress.IsFinished);
        var used = relay.Spool.UsedBytes;
        Assert.True(relay.Spool.TryRelease(progress.DumpId, out _));

        Assert.InRange(used, 1406, 8192);
        Assert.Equal(0, relay.Spool.UsedBytes);
        Assert.False(File.Exists(relay.DumpPath("core-done")));
        Assert.False(File.Exists(relay.Spool.JournalPath("core-done")));
        Assert.Null(relay.Spool.Find(progress.DumpId));
        Assert.False(relay.Spool.TryRelease(progress.DumpId, out _));
    }

    [Fact]
    public void Subscription_ConsumerThatNeverReads_NeverBlocksThePublisherAndSaysItMissedSome()
    {
        using var feed = new SpoolSubscription(_ => { });
        for (var i = 0; i < SpoolSubscription.Capacity + 10; i++)
        {
            feed.Publish(new DumpProgress(Guid.CreateVersion7(), $"core-{i}", DumpState.Receiving, 0, null));
        }

        Assert.True(feed.Overflowed);
        Assert.Equal(SpoolSubscription.Capacity, feed.Started.Count);
        feed.ResetOverflow();
        Assert.False(feed.Overflowed);
    }

    [Fact]
    public void RewrittenRanges_ManyScatteredRewrites_StayBoundedSortedAndCoverEveryRewrittenByte()
    {
        var progress = new DumpProgress(Guid.CreateVersion7(), "core-scatter", DumpState.Receiving, 0, null);
        progress.OnWritten(new ByteRange(0, 1_000_000), rewrites: false);
        var random = new Random(7);
        var rewritten = new List<ByteRange>();
        for (var i = 0; i < 2000; i++)
        {
            var range = new ByteRange(random.Next(0, 999_000), random.Next(1, 1000));
            rewritten.Add(range);
            progress.OnWritten(range, rewrites: true);
        }

        var ranges = progress.TakeRewrittenRanges();
        Assert.InRange(ranges.Count, 1, DumpProgress.MaxRewrittenRanges);
        for (var i = 1; i < ranges.Count; i++)
        {
            Assert.True(ranges[i - 1].End < ranges[i].Offset, $"ranges {ranges[i - 1]} and {ranges[i]} overlap or touch");
        }

        Assert.All(rewritten, range => Assert.Contains(ranges, cover => cover.Offset <= range.Offset && range.End <= cover.End));
        Assert.Empty(progress.TakeRewrittenRanges());
    }
}
