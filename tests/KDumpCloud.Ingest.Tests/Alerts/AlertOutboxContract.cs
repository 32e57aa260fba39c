using System.Diagnostics;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Delivery;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Ingest.Tests.Alerts;

/// <summary>
/// The outbox through a real store and a real webhook server, run against both stores: an alert is recorded with its
/// occurrence and sent once whatever is redelivered or restarted; a sink that is down gets it when it comes back;
/// a 4xx is final; throttling and the digest keep to the limits and lose no count.
/// </summary>
public abstract class AlertOutboxContract : IAsyncLifetime
{
    private WebhookServer _server = null!;

    protected FakeTimeProvider Time { get; } = new(TestOccurrences.Start);

    protected AlertOptions Options { get; } = new()
    {
        MaxRetries = 0,
        GroupInterval = TimeSpan.FromMinutes(10),
        MaxPerMinute = 5,
        SpikeCount = 3,
        SpikeWindow = TimeSpan.FromHours(1),
        MaxAge = TimeSpan.FromHours(2),
    };

    public async Task InitializeAsync() => _server = await WebhookServer.StartAsync();

    public virtual async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A store that records alerts into the returned outbox (both over the same storage).</summary>
    protected abstract Task<(ICrashStore Store, IAlertOutbox Outbox)> CreateAsync();

    [Fact]
    public async Task NewGroup_RecordedWithTheOccurrenceAndSentOnce()
    {
        var (store, outbox) = await CreateAsync();
        var first = TestOccurrences.For("f1");
        await store.RecordAsync(first);
        await store.RecordAsync(first); // redelivered: nothing more

        var dispatcher = Dispatcher(outbox, "/a");
        await dispatcher.DispatchAllAsync(CancellationToken.None);
        await Dispatcher(outbox, "/a").DispatchAllAsync(CancellationToken.None); // a restarted dispatcher

        var request = Assert.Single(_server.Requests("/a"));
        using var json = request.Json();
        Assert.Equal("new", json.RootElement.GetProperty("event").GetString());
        Assert.Equal(first.DumpId.ToString("D"), json.RootElement.GetProperty("dumpId").GetString());
        Assert.Single(await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 100, CancellationToken.None));
    }

    [Fact]
    public async Task CrashBetweenRecordAndSend_TheNextDispatcherSendsIt()
    {
        var (store, outbox) = await CreateAsync();
        await store.RecordAsync(TestOccurrences.For("f2")); // the process "dies" here: nothing sent yet
        Assert.Empty(_server.Requests("/b"));

        var (_, reopened) = await ReopenAsync();
        await Dispatcher(reopened, "/b").DispatchAllAsync(CancellationToken.None);
        await Dispatcher(reopened, "/b").DispatchAllAsync(CancellationToken.None);

        Assert.Single(_server.Requests("/b"));
    }

    [Fact]
    public async Task RepeatsAreSilent_RegressionAndSpikeAlert_OnlyOnePerGroupInterval()
    {
        var (store, outbox) = await CreateAsync();
        await store.RecordAsync(TestOccurrences.For("f3", osBuild: "24A335"));
        await store.RecordAsync(TestOccurrences.For("f3", osBuild: "24A335", receivedAt: TestOccurrences.Start.AddMinutes(1)));
        var regression = TestOccurrences.For("f3", osBuild: "24B83", receivedAt: TestOccurrences.Start.AddMinutes(2)); // count 3: spike too? no, a regression
        await store.RecordAsync(regression);
        var alerts = await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 100, CancellationToken.None);
        Assert.Equal([AlertEvent.New, AlertEvent.Regression], alerts.Select(a => a.Event));

        await store.RecordAsync(TestOccurrences.For("f3", osBuild: "24B83", receivedAt: TestOccurrences.Start.AddMinutes(3))); // 4th in window
        Time.Advance(TimeSpan.FromMinutes(3));
        await store.RecordAsync(TestOccurrences.For("f3", osBuild: "24B83", receivedAt: TestOccurrences.Start.AddHours(3)));
        await store.RecordAsync(TestOccurrences.For("f3", osBuild: "24B83", receivedAt: TestOccurrences.Start.AddHours(3).AddMinutes(1)));
        await store.RecordAsync(TestOccurrences.For("f3", osBuild: "24B83", receivedAt: TestOccurrences.Start.AddHours(3).AddMinutes(2))); // 3 in window
        alerts = await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 100, CancellationToken.None);
        Assert.Equal([AlertEvent.New, AlertEvent.Regression, AlertEvent.Spike], alerts.Select(a => a.Event));
        Assert.Equal(3, alerts[2].SpikeCount);
        Assert.Equal(7, alerts[2].Count);

        await Dispatcher(outbox, "/c").DispatchAllAsync(CancellationToken.None);
        Assert.Single(_server.Requests("/c")); // new sent; regression and spike within 10 minutes of it dropped
        var records = await outbox.ListDeliveriesAsync(Dispatcher(outbox, "/c").Sinks[0].Id, DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal(2, records.Count(r => r.State == DeliveryState.Throttled));
    }

    [Fact]
    public async Task SinkDown_AlertWaitsAndIsDeliveredOnceWhenItComesBack()
    {
        var (store, outbox) = await CreateAsync();
        _server.Default("/d", new Answer(503, "down"));
        await store.RecordAsync(TestOccurrences.For("f4"));
        var dispatcher = Dispatcher(outbox, "/d");
        await dispatcher.DispatchAllAsync(CancellationToken.None);
        await dispatcher.DispatchAllAsync(CancellationToken.None); // not due yet: no request
        Assert.Single(_server.Requests("/d"));

        _server.Default("/d", Answer.Ok);
        Time.Advance(TimeSpan.FromSeconds(6));
        await dispatcher.DispatchAllAsync(CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(30));
        await dispatcher.DispatchAllAsync(CancellationToken.None);

        Assert.Equal(2, _server.Requests("/d").Count);
        var record = Assert.Single(await outbox.ListDeliveriesAsync(dispatcher.Sinks[0].Id, DateTimeOffset.MinValue, CancellationToken.None));
        Assert.Equal(DeliveryState.Delivered, record.State);
        Assert.Equal(2, record.Attempts);
    }

    [Fact]
    public async Task SinkDownTooLong_AlertExpiresAndIsNotSent()
    {
        var (store, outbox) = await CreateAsync();
        _server.Default("/e", new Answer(500, "down"));
        await store.RecordAsync(TestOccurrences.For("f5"));
        var dispatcher = Dispatcher(outbox, "/e");
        await dispatcher.DispatchAllAsync(CancellationToken.None);
        Time.Advance(Options.MaxAge + TimeSpan.FromMinutes(1));
        _server.Default("/e", Answer.Ok);
        await dispatcher.DispatchAllAsync(CancellationToken.None);

        Assert.Single(_server.Requests("/e"));
        Assert.Equal(DeliveryState.Expired,
            Assert.Single(await outbox.ListDeliveriesAsync(dispatcher.Sinks[0].Id, DateTimeOffset.MinValue, CancellationToken.None)).State);
    }

    [Fact]
    public async Task BadRequest_ReportedOnceNotRetried_OtherSinkUnaffected()
    {
        var (store, outbox) = await CreateAsync();
        _server.Default("/f400", new Answer(400, "invalid_payload"));
        await store.RecordAsync(TestOccurrences.For("f6"));
        var dispatcher = Dispatcher(outbox, "/f400", "/fok");
        for (var i = 0; i < 3; i++)
        {
            await dispatcher.DispatchAllAsync(CancellationToken.None);
            Time.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Single(_server.Requests("/f400"));
        Assert.Single(_server.Requests("/fok"));
        var record = Assert.Single(await outbox.ListDeliveriesAsync(dispatcher.Sinks[0].Id, DateTimeOffset.MinValue, CancellationToken.None));
        Assert.Equal(DeliveryState.Rejected, record.State);
        Assert.Contains("invalid_payload", record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowSink_DoesNotDelayAnother()
    {
        var (store, outbox) = await CreateAsync();
        var release = new TaskCompletionSource();
        _server.Default("/held", new Answer(200, "ok", HoldUntil: release.Task));
        await store.RecordAsync(TestOccurrences.For("f7"));
        var dispatcher = Dispatcher(outbox, "/held", "/quick");

        var held = dispatcher.DispatchAsync(dispatcher.Sinks[0], CancellationToken.None);
        await _server.WaitForAsync("/held", 1);
        var quick = await dispatcher.DispatchAsync(dispatcher.Sinks[1], CancellationToken.None);

        Assert.Equal(1, quick[DeliveryState.Delivered]);
        Assert.False(held.IsCompleted);
        release.SetResult();
        Assert.Equal(1, (await held)[DeliveryState.Delivered]);
    }

    [Fact]
    public async Task Storm_AtMostTheLimitPerMinuteAndEveryAlertAccountedFor()
    {
        var (store, outbox) = await CreateAsync();
        const int Groups = 12;
        for (var i = 0; i < 60; i++)
        {
            await store.RecordAsync(TestOccurrences.For("storm" + (i % Groups), receivedAt: TestOccurrences.Start.AddSeconds(i)));
        }

        var dispatcher = Dispatcher(outbox, "/storm");
        for (var pass = 0; pass < 3; pass++)
        {
            await dispatcher.DispatchAllAsync(CancellationToken.None);
            Time.Advance(TimeSpan.FromSeconds(10));
        }

        var requests = _server.Requests("/storm");
        Assert.Equal(Options.MaxPerMinute, requests.Count); // 4 alerts and 1 digest in the first minute, nothing in the rest of it
        var events = requests.Select(r => { using var j = r.Json(); return j.RootElement.GetProperty("event").GetString(); }).ToList();
        Assert.Equal(Options.MaxPerMinute - 1, events.Count(e => e == "new"));
        using var digest = requests.Single(r => r.Json().RootElement.GetProperty("event").GetString() == "digest").Json();
        var held = digest.RootElement.GetProperty("count").GetInt32();
        var alerts = await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 1000, CancellationToken.None);
        Assert.Equal(2 * Groups, alerts.Count); // each group: new, then a spike at its third occurrence in the window
        var records = await outbox.ListDeliveriesAsync(dispatcher.Sinks[0].Id, DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal(held, records.Count(r => r.State == DeliveryState.Digested));
        Assert.Equal(Options.MaxPerMinute - 1, records.Count(r => r.State == DeliveryState.Delivered));
        Assert.Equal(alerts.Count, records.Count(r => r.State is DeliveryState.Delivered or DeliveryState.Digested or DeliveryState.Throttled));
        Assert.All(records.Where(r => r.State == DeliveryState.Throttled),
            r => Assert.Contains(records, d => d.State == DeliveryState.Delivered && d.GroupId == r.GroupId));
        var counts = await Task.WhenAll(Enumerable.Range(0, Groups).Select(i => store.FindGroupAsync("storm" + i)));
        Assert.Equal(60, counts.Sum(g => g!.Count));
    }

    [Fact]
    public async Task Alert_KeepsTheTraceOfTheIngestThatDecidedIt_AndItsDeliveryJoinsThatTrace()
    {
        using var spans = new SpanRecorder();
        var (store, outbox) = await CreateAsync();
        var traceParent = SpanRecorder.NewTraceParent(out var traceId, out _);
        Activity ingest;
        using (ingest = IngestActivities.Source.StartActivity(IngestActivities.Ingest, ActivityKind.Consumer, IngestActivities.ParseTraceParent(traceParent))!)
        using (IngestActivities.Source.StartActivity(IngestActivities.Record))
        {
            await store.RecordAsync(TestOccurrences.For("traced"));
        }

        var (_, reopened) = await ReopenAsync();
        var alert = Assert.Single(await reopened.ListAlertsAsync(DateTimeOffset.MinValue, 10, CancellationToken.None));
        Assert.Equal(ingest.Id, alert.TraceParent); // the ingest span's, not the record stage's
        await Dispatcher(reopened, "/traced").DispatchAllAsync(CancellationToken.None);

        var deliver = Assert.Single(spans.InTrace(traceId), s => s.OperationName == IngestActivities.Deliver);
        Assert.Equal(ingest.SpanId, deliver.ParentSpanId);
        Assert.Equal("delivered", deliver.GetTagItem(IngestTags.DeliveryState));
    }

    /// <summary>The same storage opened again, as a restarted process would.</summary>
    protected abstract Task<(ICrashStore Store, IAlertOutbox Outbox)> ReopenAsync();

    private AlertDispatcher Dispatcher(IAlertOutbox outbox, params string[] paths)
    {
        var options = new AlertOptions
        {
            MaxRetries = Options.MaxRetries,
            GroupInterval = Options.GroupInterval,
            MaxPerMinute = Options.MaxPerMinute,
            MaxAge = Options.MaxAge,
            Webhooks = [.. paths.Select(p => new WebhookOptions { Kind = "json", Url = _server.Url(p) })],
        };
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        return new AlertDispatcher(outbox, new WebhookSender(new PlainClients(), wrapped, Time), wrapped, Time, NullLogger<AlertDispatcher>.Instance);
    }

    /// <summary>One client for the tests (the hosts use IHttpClientFactory's; WebhookSenderTests go through it).</summary>
    private sealed class PlainClients : IHttpClientFactory
    {
        private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan };

        public HttpClient CreateClient(string name) => Client;
    }
}
