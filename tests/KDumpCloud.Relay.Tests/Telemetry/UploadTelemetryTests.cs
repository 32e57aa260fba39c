using System.Diagnostics;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>The dump's trace across the upload: the upload span continues the receive span's trace from the journal
/// (after a restart too), and the ingest message on the Azurite queue names the upload span; and the upload's and
/// retention's metrics.</summary>
public sealed class UploadTelemetryTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UploadedDump_UploadSpanIsTheReceiveSpansChild_AndTheMessageNamesIt()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var spans = new SpanCapture();
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(), services: spans.Register);
        using var metrics = new MeasurementCapture(relay.Services);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var name = ReceiveTracingTests.UniqueName("core-uploaded");

        await mac.SendAllAsync(name, TestContent.Random(70_000, 21));
        var journal = await UploadTarget.WaitUntilSentAsync(relay, name);

        var receive = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name);
        var upload = await spans.SingleAsync(RelayActivities.UploadSpanName, TelemetryTags.FileName, name);
        Assert.Equal(receive.TraceId, upload.TraceId);
        Assert.Equal(receive.SpanId, upload.ParentSpanId);
        Assert.Equal(journal.TraceParent, receive.Id);
        Assert.Equal(ActivityStatusCode.Unset, upload.Status);
        Assert.Equal(journal.DumpId.ToString("D"), upload.GetTagItem(TelemetryTags.DumpId));
        Assert.Equal("127.0.0.1", upload.GetTagItem(TelemetryTags.ClientAddress));
        Assert.Equal(70_000L, upload.GetTagItem(TelemetryTags.Bytes));
        Assert.Equal(5L, upload.GetTagItem(TelemetryTags.Blocks)); // 70,000 bytes in 16 KiB blocks
        Assert.Equal(journal.Upload!.Blob, upload.GetTagItem(TelemetryTags.Blob));
        Assert.Equal(1, upload.GetTagItem(TelemetryTags.UploadAttempt));
        Assert.IsType<double>(upload.GetTagItem(TelemetryTags.AfterEof));

        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(journal.DumpId, message.DumpId);
        Assert.Equal(upload.Id, message.TraceParent);

        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.upload.sent"));
        metrics.Observe();
        Assert.Equal(0, metrics.Last("kdumpcloud.relay.upload.backlog.dumps"));
        Assert.Equal(0, metrics.Last("kdumpcloud.relay.upload.backlog.age"));
        Assert.Equal(1, metrics.Last("kdumpcloud.relay.storage.circuit.state", (TelemetryTags.CircuitState, "closed")));
        Assert.Equal(0, metrics.Last("kdumpcloud.relay.storage.circuit.state", (TelemetryTags.CircuitState, "open")));
    }

    [Fact]
    public async Task DumpReceivedBeforeARestart_UploadAfterIt_ContinuesTheJournalsTrace()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var spans = new SpanCapture();
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var name = ReceiveTracingTests.UniqueName("core-restarted");
        DumpJournal received;
        await using (var spoolOnly = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["EmbeddedIngest:Enabled"] = "false",
            ["Dashboard:Enabled"] = "false",
        }, dataDirectory: dataDirectory, services: spans.Register))
        {
            using var mac = new RawKdumpPeer(spoolOnly.EndPoint);
            await mac.SendAllAsync(name, TestContent.Random(20_000, 22));
            received = await spoolOnly.WaitForJournalAsync(name, j => j.State == DumpState.Complete && j.Sha256 is not null);
        }

        Assert.NotNull(received.TraceParent);
        Assert.True(ActivityContext.TryParse(received.TraceParent, null, out var stored));

        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: dataDirectory, services: spans.Register);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, name);

        Assert.Equal(received.TraceParent, journal.TraceParent);
        var upload = await spans.SingleAsync(RelayActivities.UploadSpanName, TelemetryTags.FileName, name);
        Assert.Equal(stored.TraceId, upload.TraceId);
        Assert.Equal(stored.SpanId, upload.ParentSpanId);
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(upload.Id, message.TraceParent);
    }

    [Fact]
    public async Task UploadedDump_RemovedAtOnceByRetention_CountedWithItsBytesAndRule()
    {
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(new() { ["Retention:UploadedMaxAge"] = "00:00:00" }));
        using var metrics = new MeasurementCapture(relay.Services);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var name = ReceiveTracingTests.UniqueName("core-retained");

        await mac.SendAllAsync(name, TestContent.Random(40_000, 23));

        await Eventually.TrueAsync(() => metrics.Sum("kdumpcloud.relay.retention.removed", (TelemetryTags.RemovalReason, "age")) == 1, 30_000);
        Assert.Equal(1, metrics.Sum("kdumpcloud.relay.upload.sent"));
        Assert.True(metrics.Sum("kdumpcloud.relay.retention.freed", (TelemetryTags.RemovalReason, "age")) >= 40_000);
        Assert.Null(relay.Spool.ReadJournal(name));
    }
}
