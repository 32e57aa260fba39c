using System.Diagnostics;
using System.Text.Json;
using Amqp;
using Amqp.Framing;
using Azure.Messaging.ServiceBus;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.Ingest.Tests.Support;

namespace KDumpCloud.Ingest.Tests.Azure;

/// <summary>The publisher through the real Service Bus SDK to an AMQP broker on loopback: what arrives on the wire.</summary>
public sealed class ServiceBusReportPublisherTests : IAsyncLifetime
{
    private const string Topic = "crash-reports";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly AmqpTestBroker _broker = new(Topic);
    private ServiceBusClient _client = null!;
    private ServiceBusSender _sender = null!;

    public Task InitializeAsync()
    {
        _client = new ServiceBusClient(_broker.ConnectionString, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { MaxRetries = 1, TryTimeout = TimeSpan.FromSeconds(30) },
        });
        _sender = _client.CreateSender(Topic);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        _broker.Dispose();
    }

    [Fact]
    public async Task Publish_InsideASpan_TheMessageCarriesItsTraceAndTheSpanNamesTheTopic()
    {
        using var spans = new SpanRecorder();
        var report = Report(TestOccurrences.For("7ace"));
        Activity span;
        using (span = IngestActivities.Source.StartActivity(IngestActivities.Publish, ActivityKind.Producer)!)
        {
            await new ServiceBusReportPublisher(_sender).PublishAsync(report, CancellationToken.None);
        }

        var message = await _broker.ReceiveAsync(Wait);
        Assert.Equal(span.Id, message.ApplicationProperties[ServiceBusReportPublisher.DiagnosticIdProperty]);
        Assert.Equal(Topic, span.GetTagItem(IngestTags.MessagingDestination));
        Assert.Equal(report.DumpId.ToString("D"), span.GetTagItem(IngestTags.MessageId));
    }

    [Fact]
    public async Task Publish_SendsTheReportWithDumpIdAsMessageIdAndFilterProperties()
    {
        var report = Report(TestOccurrences.For("f00d", osBuild: "24B83") with { Outcome = IngestOutcome.Regression, RegressionReason = "first seen on OS build 24B83" });

        await new ServiceBusReportPublisher(_sender).PublishAsync(report, CancellationToken.None);

        var message = await _broker.ReceiveAsync(Wait);
        Assert.Equal(report.DumpId.ToString("D"), message.Properties.MessageId);
        Assert.Equal("application/json", message.Properties.ContentType.ToString());
        Assert.Equal("regression: panic in f00d", message.Properties.Subject);
        var properties = message.ApplicationProperties;
        Assert.Equal("f00d", properties["fingerprint"]);
        Assert.Equal("panic in f00d", properties["signature"]);
        Assert.Equal("regression", properties["outcome"]);
        Assert.Equal(false, properties["isNew"]);
        Assert.Equal(true, properties["isRegression"]);
        Assert.Equal("xnu-11215.1.10", properties["kernel"]);
        Assert.Equal("24B83", properties["osBuild"]);
        Assert.Equal("f00d", properties["groupId"]);
        Assert.Equal(false, properties["redelivered"]);
        Assert.False(properties.Map.ContainsKey("truncated"));
        using var body = JsonDocument.Parse(Body(message));
        Assert.Equal(report.DumpId, body.RootElement.GetProperty("dumpId").GetGuid());
        Assert.Equal("Regression", body.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("24B83", body.RootElement.GetProperty("occurrence").GetProperty("osBuild").GetString());
        Assert.True(_broker.TokensPut >= 1);
    }

    [Fact]
    public async Task Publish_HugeReport_IsShortenedUnder256KBAndMarked()
    {
        var occurrence = TestOccurrences.For("beef") with
        {
            Outcome = IngestOutcome.NewGroup,
            PanicMessage = new string('p', 400_000),
            Warnings = [.. Enumerable.Range(0, 1000).Select(i => $"warning {i} " + new string('w', 1000))],
        };
        var report = Report(occurrence) with
        {
            Group = Report(occurrence).Group with { Machines = [.. Enumerable.Range(0, 100).Select(i => $"10.0.{i}.1" + new string('m', 2000))] },
        };
        Assert.True(report.ToUtf8Json().Length > 1 << 20);

        await new ServiceBusReportPublisher(_sender).PublishAsync(report, CancellationToken.None);

        var message = await _broker.ReceiveAsync(Wait);
        var bytes = Body(message);
        Assert.InRange(bytes.Length, 1, ReportMessages.MaxBodyBytes);
        Assert.InRange(message.Encode().Length, 1, 256 * 1000);
        Assert.Equal(true, message.ApplicationProperties["truncated"]);
        Assert.Equal(true, message.ApplicationProperties["isNew"]);
        var shortened = JsonSerializer.Deserialize(bytes, IngestJsonContext.Default.CrashReport)!;
        Assert.Equal(report.DumpId, shortened.DumpId);
        Assert.StartsWith("ppp", shortened.Occurrence.PanicMessage, StringComparison.Ordinal);
        Assert.Contains(shortened.Occurrence.Warnings, w => w.Contains("shortened", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_RefusesWhatServiceBusWould_AMessageOver256KB()
    {
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => _sender.SendMessageAsync(new ServiceBusMessage(new byte[300 * 1024])));

        Assert.Equal(ServiceBusFailureReason.MessageSizeExceeded, error.Reason);
    }

    [Fact]
    public async Task Publish_TwoReports_ArriveInOrderWithTheirOwnIds()
    {
        var first = Report(TestOccurrences.For("aaaa") with { Outcome = IngestOutcome.NewGroup });
        var second = Report(TestOccurrences.For("aaaa") with { Outcome = IngestOutcome.Repeat }) with { Redelivered = true };
        var publisher = new ServiceBusReportPublisher(_sender);

        await publisher.PublishAsync(first, CancellationToken.None);
        await publisher.PublishAsync(second, CancellationToken.None);

        var one = await _broker.ReceiveAsync(Wait);
        var two = await _broker.ReceiveAsync(Wait);
        Assert.Equal(first.DumpId.ToString("D"), one.Properties.MessageId);
        Assert.Equal("newGroup", one.ApplicationProperties["outcome"]);
        Assert.Equal(second.DumpId.ToString("D"), two.Properties.MessageId);
        Assert.Equal("repeat", two.ApplicationProperties["outcome"]);
        Assert.Equal(true, two.ApplicationProperties["redelivered"]);
    }

    private static CrashReport Report(Occurrence occurrence) => new()
    {
        DumpId = occurrence.DumpId,
        Outcome = occurrence.Outcome ?? IngestOutcome.Repeat,
        RegressionReason = occurrence.RegressionReason,
        Occurrence = occurrence,
        Group = Grouping.GroupFolding.Fold(null, occurrence, TestOccurrences.Start).Group,
    };

    /// <summary>The body as the SDK sends it: one data section.</summary>
    private static byte[] Body(Message message) => message.BodySection switch
    {
        Data data => data.Binary,
        _ => message.Body as byte[] ?? throw new InvalidOperationException($"unexpected body {message.BodySection?.GetType().Name}"),
    };
}
