using System.Diagnostics;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>The upload's failure path as an operator sees it: storage (its own Azurite) goes away while a dump waits,
/// and comes back.</summary>
public sealed class StorageOutageTelemetryTests
{
    [Fact]
    public async Task StorageDown_FailedUploadSpansBacklogAndOpenCircuit_ThenOneSuccessfulSpanAndAClosedCircuit()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        var spans = new SpanCapture();
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(UploadTarget.QuickToNoticeOutage), services: spans.Register);
        using var metrics = new MeasurementCapture(relay.Services);
        var name = ReceiveTracingTests.UniqueName("core-outage");

        await azurite.StopAsync(deadline.Token);
        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.SendAllAsync(name, TestContent.Random(150_000, 62));
        }

        await Eventually.TrueAsync(() =>
        {
            metrics.Observe();
            return metrics.Last("kdumpcloud.relay.storage.circuit.state", (TelemetryTags.CircuitState, "closed")) == 0;
        }, 30_000, "the circuit never left closed");
        await Eventually.TrueAsync(() => spans.Named(RelayActivities.UploadSpanName, TelemetryTags.FileName, name).Count > 0, 30_000,
            "no upload attempt ended while storage was down");
        Assert.True(metrics.Sum("kdumpcloud.relay.upload.failures") > 0);
        Assert.All(metrics.Values("kdumpcloud.relay.upload.failures"), value => Assert.Equal(1, value));
        Assert.Equal(1, metrics.Last("kdumpcloud.relay.upload.backlog.dumps"));
        Assert.True(metrics.Last("kdumpcloud.relay.upload.backlog.age") > 0);
        var failed = spans.Named(RelayActivities.UploadSpanName, TelemetryTags.FileName, name)[0];
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.NotNull(failed.GetTagItem(TelemetryTags.ErrorType));

        await azurite.RestartAsync(deadline.Token);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, name, 60_000);

        var attempts = spans.Named(RelayActivities.UploadSpanName, TelemetryTags.FileName, name);
        var succeeded = Assert.Single(attempts, span => span.Status != ActivityStatusCode.Error);
        Assert.Equal(attempts.Count, succeeded.GetTagItem(TelemetryTags.UploadAttempt));
        Assert.All(attempts, span => Assert.Equal(journal.TraceParent, "00-" + span.TraceId.ToHexString() + "-" + span.ParentSpanId.ToHexString() + "-01"));
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(succeeded.Id, message.TraceParent);
        await Eventually.TrueAsync(() =>
        {
            metrics.Observe();
            return metrics.Last("kdumpcloud.relay.storage.circuit.state", (TelemetryTags.CircuitState, "closed")) == 1
                && metrics.Last("kdumpcloud.relay.upload.backlog.dumps") == 0;
        }, 30_000, "the circuit did not close or the backlog did not drain");
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.upload.sent"));
    }
}
