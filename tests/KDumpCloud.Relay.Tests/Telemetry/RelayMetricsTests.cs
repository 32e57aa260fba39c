using System.Text;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>The relay's metrics as a <see cref="System.Diagnostics.Metrics.MeterListener"/> sees them, from a real relay
/// receiving over loopback UDP; only this relay's instruments are heard.</summary>
public sealed class RelayMetricsTests
{
    private static readonly Dictionary<string, string?> SpoolOnly = new()
    {
        ["EmbeddedIngest:Enabled"] = "false",
        ["Dashboard:Enabled"] = "false",
    };

    [Fact]
    public async Task CompleteAndAbortedDumps_CountedByOutcomeWithTheirBytes()
    {
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly);
        using var metrics = new MeasurementCapture(relay.Services);
        var complete = ReceiveTracingTests.UniqueName("core-counted");
        var aborted = ReceiveTracingTests.UniqueName("core-aborted");

        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.SendAllAsync(complete, TestContent.Random(50_000, 7));
        }

        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.RequestAsync(RawKdumpPeer.ModernWrq(aborted));
            await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(700, 8)), 1);
            mac.SendToTransfer([0, 5, 0, 0, .. Encoding.ASCII.GetBytes("stop"), 0]);
        }

        await relay.WaitForJournalAsync(complete, j => j.State == DumpState.Complete);
        await relay.WaitForJournalAsync(aborted, j => j.State == DumpState.Incomplete);
        await Eventually.TrueAsync(() => metrics.Sum("kdumpcloud.relay.transfer.finished") == 2);

        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.transfer.finished", (TelemetryTags.Outcome, "complete")));
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.transfer.finished", (TelemetryTags.Outcome, "incomplete"), (TelemetryTags.ErrorType, TransferCauses.MacError)));
        Assert.Equal(0, metrics.Sum("kdumpcloud.relay.transfer.active"));
        Assert.Equal(2, metrics.Values("kdumpcloud.relay.transfer.active").Count(value => value > 0));
        Assert.Equal(2, metrics.Values("kdumpcloud.relay.write_request.duration").Count);
        Assert.All(metrics.Values("kdumpcloud.relay.write_request.duration"), seconds => Assert.InRange(seconds, 0, 30));
        var rate = Assert.Single(metrics.Values("kdumpcloud.relay.transfer.rate", (TelemetryTags.Outcome, "complete")));
        Assert.True(rate > 0);

        metrics.Observe();
        Assert.Equal(50_700, metrics.Last("kdumpcloud.relay.received"));
        Assert.Equal(2, metrics.Last("kdumpcloud.relay.spool.dumps"));
        Assert.Equal(relay.Spool.UsedBytes, metrics.Last("kdumpcloud.relay.spool.usage"));
        Assert.True(metrics.Last("kdumpcloud.relay.spool.usage") >= 50_700);
        Assert.True(metrics.Last("kdumpcloud.relay.spool.free") > 0);
        Assert.True(metrics.Last("kdumpcloud.relay.spool.limit") > 0);
    }

    [Fact]
    public async Task RefusedRequests_CountedByBoundedReason()
    {
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly);
        using var metrics = new MeasurementCapture(relay.Services);
        var name = ReceiveTracingTests.UniqueName("core-once");
        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.SendAllAsync(name, TestContent.Random(2_000, 9));
        }

        using var other = new RawKdumpPeer(relay.EndPoint);
        Assert.Equal(5, (await other.RequestAsync(RawKdumpPeer.ModernWrq(name)))[1]);
        Assert.Equal(5, (await other.RequestAsync(RawKdumpPeer.ModernWrq("bad/" + name)))[1]);
        other.SendToRelay([0, 2, .. "core-x\0netascii\0"u8.ToArray()]);
        Assert.NotNull(await other.ReceiveAsync());

        await Eventually.TrueAsync(() => metrics.Sum("kdumpcloud.relay.refusals") == 3);
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.refusals", (TelemetryTags.RefusalReason, TransferCauses.FileExists)));
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.refusals", (TelemetryTags.RefusalReason, TransferCauses.InvalidName)));
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.refusals", (TelemetryTags.RefusalReason, TransferCauses.Malformed)));

        // The refused requests never became transfers: one started and finished, none is active.
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.transfer.finished"));
        Assert.Equal(0, metrics.Sum("kdumpcloud.relay.transfer.active"));
    }
}
