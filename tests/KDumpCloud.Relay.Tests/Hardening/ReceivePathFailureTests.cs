using KDumpCloud.Relay.Hosting;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Transfers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 8: failures on a transfer's receive path are not silent, stopping waits for transfers, and the
/// used-bytes figure shrinks. Before the fix an exception on the receive path ended the thread with nothing logged
/// while the timer kept re-sending ACKs for 50 s (§11.2), so the Mac waited out its whole EOF budget; stopping left
/// transfers running; and <c>UsedBytes</c> only ever grew.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public class ReceivePathFailureTests
{
    [Fact]
    public async Task FailureWhileCompleting_AnswersErrorAtOnceAndRecordsTheDumpIncomplete()
    {
        var clock = new FaultyTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-fault"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3, 4]), 1);

        // The final journal reads the clock on the transfer's thread: make that one read fail.
        clock.FailNextUtcNow();
        mac.SendToTransfer(RawKdumpPeer.Eof(2));

        var reply = (await mac.ReceiveAsync())?.Datagram ?? throw new TimeoutException("neither ERROR nor ACK after EOF");
        Assert.True(KdumpDatagrams.IsError(reply), $"expected an ERROR, got {RawKdumpPeer.Describe(reply)}");
        Assert.Equal(1, clock.UtcNowFailuresThrown);
        Assert.DoesNotContain("injected", KdumpDatagrams.ErrorText(reply), StringComparison.Ordinal);
        var journal = await relay.WaitForJournalAsync("core-fault", j => j.State != DumpState.Receiving);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.StartsWith("the relay failed", journal.Reason, StringComparison.Ordinal);
        Assert.Equal(4, journal.FileLength);
        // No ACK retransmissions follow (the dead transfer of the old relay re-sent its last ACK every 2 s).
        Assert.Null(await mac.ReceiveAsync(2500));

        // The relay keeps serving.
        using var other = new RawKdumpPeer(relay.EndPoint, "127.0.0.81");
        await other.SendAllAsync("core-after-fault", [5, 6]);
        Assert.Equal(DumpState.Complete, (await relay.WaitForJournalAsync("core-after-fault", j => j.State != DumpState.Receiving)).State);
    }

    [Fact]
    public async Task Stop_WaitsForTransfersToRecordTheirDumpsAndLetGoOfTheirThreads()
    {
        var before = ProcessProbe.TransferThreads();
        var relay = await RelayUnderTest.StartAsync();
        var spool = relay.Spool;
        try
        {
            using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.82");
            await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-mid"));
            await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);
            Assert.Equal(before + 1, ProcessProbe.TransferThreads());

            await relay.StopAsync();

            // Read at once, no polling: StopAsync returned only after the transfer recorded how it ended.
            var journal = spool.ReadJournal("core-mid");
            Assert.NotNull(journal);
            Assert.Equal(DumpState.Incomplete, journal.State);
            Assert.Equal(3, journal.FileLength);
            Assert.Contains("stopped", journal.Reason, StringComparison.Ordinal);
            // The thread is on its way out as Completion is set; give it the moment to return.
            await Eventually.TrueAsync(() => ProcessProbe.TransferThreads() <= before, timeoutMs: 3000,
                what: $"no transfer thread after stop; {ProcessProbe.TransferThreads()} left");
        }
        finally
        {
            await relay.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryRelease_FinishedDump_ShrinksUsedBytesAndDeletesItsFiles()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.83");
        var content = TestContent.Random(20_000, 83);
        await mac.SendAllAsync("core-released", content);
        var journal = await relay.WaitForJournalAsync("core-released", j => j is { State: DumpState.Complete, Sha256: not null });
        await Eventually.TrueAsync(() => relay.Spool.Snapshot().Single().IsFinished, what: "the dump finished and hashed");
        Assert.Equal(content.Length, relay.Spool.UsedBytes);

        Assert.True(relay.Spool.TryRelease(journal.DumpId, out var problem), problem);

        Assert.Equal(0, relay.Spool.UsedBytes);
        Assert.Equal(0, relay.Spool.Count);
        Assert.False(File.Exists(relay.DumpPath("core-released")));
        Assert.False(File.Exists(relay.Spool.JournalPath("core-released")));
        Assert.False(relay.Spool.TryRelease(journal.DumpId, out _));
        // The name is free again.
        using var again = new RawKdumpPeer(relay.EndPoint, "127.0.0.84");
        await again.SendAllAsync("core-released", [1]);
    }

    /// <summary>The clock fails at EOF and again inside the failure handler's own journal write: before the fix the
    /// second failure escaped the transfer thread and ended the process.</summary>
    [Fact]
    public async Task FaultThatRecursInTheFailureHandler_EndsOnlyThatTransfer()
    {
        var clock = new FaultyTimeProvider();
        await using var relay = await RelayUnderTest.StartAsync(time: clock);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-fault-again"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3, 4]), 1);
        clock.FailNextUtcNow(2);
        mac.SendToTransfer(RawKdumpPeer.Eof(2));
        Assert.True(KdumpDatagrams.IsError((await mac.ReceiveAsync())!.Value.Datagram));

        // The ERROR goes out before the failure handler's journal write meets the second fault; let both faults be
        // spent by the failing transfer before another Mac's WRQ reads the same clock.
        await Eventually.TrueAsync(() => clock.UtcNowFailuresThrown == 2);
        using var other = new RawKdumpPeer(relay.EndPoint, "127.0.0.85");
        await other.SendAllAsync("core-after-faults", [5, 6]);
    }

    /// <summary>Before the fix, a transfer ending after the stop time ran out queued its hash on a closed queue, which
    /// threw, and the failure path then flushed a closed file: the process ended.</summary>
    [Fact]
    public async Task StopPastTheShutdownTimeout_MidTransfer_DoesNotCrash()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:Port"] = "0",
            ["Relay:BindAddress"] = "127.0.0.1",
            ["Relay:DataDirectory"] = RelayUnderTest.NewDataDirectory(),
            ["Relay:MinFreeDiskBytes"] = "0",
        });
        builder.Services.AddKdumpRelay();
        using var host = builder.Build();
        await host.StartAsync();
        var endPoint = await host.Services.GetRequiredService<KdumpListener>().LocalEndPoint;
        using var mac = new RawKdumpPeer(endPoint, "127.0.0.86");
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-shutdown"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);

        await host.StopAsync(new CancellationToken(canceled: true));

        // The transfer ends on its own thread; the process must still be here afterwards.
        await Task.Delay(2000);
        Assert.Equal(DumpState.Incomplete, host.Services.GetRequiredService<DumpSpool>().ReadJournal("core-shutdown")?.State);
    }
}
