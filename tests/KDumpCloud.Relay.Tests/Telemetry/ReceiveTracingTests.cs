using System.Diagnostics;
using System.Text;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>The receive span of each dump, from a real relay over loopback UDP into the OpenTelemetry SDK's
/// in-memory exporter: one root span per dump, found by its file name, its traceparent kept in the journal.</summary>
public sealed class ReceiveTracingTests
{
    private static readonly Dictionary<string, string?> SpoolOnly = new()
    {
        ["EmbeddedIngest:Enabled"] = "false",
        ["Dashboard:Enabled"] = "false",
    };

    [Fact]
    public async Task CompleteDump_ReceiveSpan_RootWithTheDumpsFactsAndItsTraceParentInTheJournal()
    {
        var spans = new SpanCapture();
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly, services: spans.Register);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var name = UniqueName("core-traced");
        var content = TestContent.Random(100_000, 31);

        await mac.SendAllAsync(name, content);
        var journal = await relay.WaitForJournalAsync(name, j => j.State == DumpState.Complete);

        var span = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name);
        Assert.Equal(RelayActivities.SourceName, span.Source.Name);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(default, span.ParentSpanId);
        Assert.True(span.Recorded);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(journal.DumpId.ToString("D"), span.GetTagItem(TelemetryTags.DumpId));
        Assert.Equal("127.0.0.1", span.GetTagItem(TelemetryTags.ClientAddress));
        Assert.Equal(mac.LocalEndPoint.Port, span.GetTagItem(TelemetryTags.ClientPort));
        Assert.Equal(100_000L, span.GetTagItem(TelemetryTags.Bytes));
        Assert.Equal(100_000L, span.GetTagItem(TelemetryTags.FileLength));
        Assert.Equal((100_000L + 1405) / 1406, span.GetTagItem(TelemetryTags.Packets));
        Assert.Equal(0L, span.GetTagItem(TelemetryTags.Retransmissions));
        Assert.Equal(true, span.GetTagItem(TelemetryTags.Complete));
        Assert.Equal("complete", span.GetTagItem(TelemetryTags.Outcome));
        Assert.Equal(span.Id, journal.TraceParent);
        Assert.StartsWith("00-" + span.TraceId.ToHexString() + "-" + span.SpanId.ToHexString(), journal.TraceParent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoDumps_EachItsOwnTrace()
    {
        var spans = new SpanCapture();
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly, services: spans.Register);
        var first = UniqueName("core-first");
        var second = UniqueName("core-second");
        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.SendAllAsync(first, TestContent.Random(5_000, 1));
        }

        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.SendAllAsync(second, TestContent.Random(5_000, 2));
        }

        var one = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, first);
        var two = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, second);
        Assert.NotEqual(one.TraceId, two.TraceId);
        Assert.Equal(default, two.ParentSpanId);
    }

    [Fact]
    public async Task MacSendsError_ReceiveSpan_ErrorWithTheReasonAndWhatArrived()
    {
        var spans = new SpanCapture();
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly, services: spans.Register);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var name = UniqueName("core-aborted");

        await mac.RequestAsync(RawKdumpPeer.ModernWrq(name));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, TestContent.Random(1406, 3)), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Data(2, TestContent.Random(1000, 4)), 2);
        mac.SendToTransfer([0, 5, 0, 0, .. Encoding.ASCII.GetBytes("disk gone"), 0]);
        var journal = await relay.WaitForJournalAsync(name, j => j.State == DumpState.Incomplete);

        var span = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(journal.Reason, span.StatusDescription);
        Assert.Equal("the Mac sent an ERROR", span.StatusDescription);
        Assert.Equal(TransferCauses.MacError, span.GetTagItem(TelemetryTags.ErrorType));
        Assert.Equal(false, span.GetTagItem(TelemetryTags.Complete));
        Assert.Equal("incomplete", span.GetTagItem(TelemetryTags.Outcome));
        Assert.Equal(2406L, span.GetTagItem(TelemetryTags.Bytes));
        Assert.Equal(2L, span.GetTagItem(TelemetryTags.Packets));
        Assert.Equal(span.Id, journal.TraceParent);
    }

    [Fact]
    public async Task NameTaken_RefusedRequest_ErrorSpanWithoutAJournal()
    {
        var spans = new SpanCapture();
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly, services: spans.Register);
        var name = UniqueName("core-twice");
        using (var mac = new RawKdumpPeer(relay.EndPoint))
        {
            await mac.SendAllAsync(name, TestContent.Random(3_000, 5));
        }

        using var other = new RawKdumpPeer(relay.EndPoint);
        var reply = await other.RequestAsync(RawKdumpPeer.ModernWrq(name));
        Assert.Equal(5, reply[1]); // ERROR "File exists"

        await Eventually.TrueAsync(() => spans.Named(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name).Count == 2);
        var refused = Assert.Single(spans.Named(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name),
            span => Equals(span.GetTagItem(TelemetryTags.Outcome), "refused"));
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal(TransferCauses.FileExists, refused.GetTagItem(TelemetryTags.ErrorType));
        Assert.Equal(other.LocalEndPoint.Port, refused.GetTagItem(TelemetryTags.ClientPort));
        Assert.Equal(relay.Spool.ReadJournal(name)!.TraceParent,
            Assert.Single(spans.Named(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name), span => span != refused).Id);
    }

    [Fact]
    public async Task InvalidName_RefusedBeforeATransfer_ErrorSpanWithTheCause()
    {
        var spans = new SpanCapture();
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly, services: spans.Register);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var name = UniqueName("../escape");

        var reply = await mac.RequestAsync(RawKdumpPeer.ModernWrq(name));

        Assert.Equal(5, reply[1]);
        var span = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(TransferCauses.InvalidName, span.GetTagItem(TelemetryTags.ErrorType));
        Assert.Null(span.GetTagItem(TelemetryTags.DumpId));
    }

    [Fact]
    public async Task TransferLogLines_CarryTheReceiveSpansIds()
    {
        var spans = new SpanCapture();
        var logs = new TraceLogCapture();
        await using var relay = await RelayUnderTest.StartAsync(SpoolOnly, services: services =>
        {
            spans.Register(services);
            services.AddSingleton<ILoggerProvider>(logs);
        });
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var name = UniqueName("core-logged");

        await mac.SendAllAsync(name, TestContent.Random(4_000, 10));

        var span = await spans.SingleAsync(RelayActivities.ReceiveSpanName, TelemetryTags.FileName, name);
        var lines = logs.Lines.Where(line => line.Message.Contains(name, StringComparison.Ordinal) && line.EventId is 200 or 201).ToList();
        Assert.Equal([200, 201], lines.Select(line => line.EventId).Order());
        Assert.All(lines, line => Assert.Equal((span.TraceId, span.SpanId), (line.TraceId, line.SpanId)));
    }

    internal static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("n")[..12];
}
