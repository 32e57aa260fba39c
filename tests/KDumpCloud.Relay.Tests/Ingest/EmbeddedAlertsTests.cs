using System.Net;
using System.Text.Json;
using KDumpCloud.Cli.Send;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Ingest;

/// <summary>
/// The embedded relay with a JSON webhook (<see cref="LoopbackWebhook"/>): a panic log sent over UDP becomes one
/// alert with its dump id; the same crash again only counts; a restarted relay does not send the alert again.
/// </summary>
public sealed class EmbeddedAlertsTests : IAsyncDisposable
{
    private readonly LoopbackWebhook _webhook = LoopbackWebhook.Start();

    [Fact]
    public async Task PanicLog_SendsOneAlert_RepeatAndRestartSendNone()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Kind"] = "json",
            ["Alerts:Webhooks:0:Url"] = _webhook.Url,
            ["Alerts:PollInterval"] = "00:00:00.200",
            ["Dashboard:PublicUrl"] = "https://crashes.example.org",
        };
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        DumpJournal first;
        await using (var relay = await RelayUnderTest.StartAsync(settings, dataDirectory: dataDirectory))
        {
            first = await SendAndWaitAsync(relay, "paniclog-xnu-11417.121.6-127.0.0.31-1");
            await _webhook.WaitForDeliveredAsync(1);
            await SendAndWaitAsync(relay, "paniclog-xnu-11417.121.6-127.0.0.31-2");
            var outbox = relay.Services.GetRequiredService<IAlertOutbox>();
            Assert.Single(await outbox.ListAlertsAsync(DateTimeOffset.MinValue, 10, CancellationToken.None));
        }

        await using (var restarted = await RelayUnderTest.StartAsync(settings, dataDirectory: dataDirectory))
        {
            // Several dispatcher polls (200 ms each) go by; none may send the delivered alert again.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        using var document = JsonDocument.Parse(Assert.Single(_webhook.Delivered));
        var alert = document.RootElement;
        Assert.Equal("new", alert.GetProperty("event").GetString());
        Assert.Equal(first.DumpId.ToString("D"), alert.GetProperty("dumpId").GetString());
        Assert.Equal(1, alert.GetProperty("count").GetInt32());
        Assert.StartsWith("https://crashes.example.org/groups/", alert.GetProperty("link").GetString(), StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _webhook.DisposeAsync();

    private static async Task<DumpJournal> SendAndWaitAsync(RelayUnderTest relay, string name)
    {
        var result = await new KdumpSender(new KdumpSendOptions
        {
            Server = relay.EndPoint,
            LocalAddress = IPAddress.Parse("127.0.0.31"),
            FileName = name,
            Content = ExamplePanic.Utf8,
            Kind = DumpKind.PanicLog,
            Generation = KernelGeneration.Xnu7195Plus,
            Timeouts = KernelTimeouts.Kernel.Scaled(10),
            MaxDuration = TimeSpan.FromSeconds(60),
        }).SendAsync();
        Assert.True(result.Outcome == SendOutcome.Completed, $"{name}: {result.Outcome} {result.Detail}");
        return await relay.WaitForJournalAsync(name, journal => journal.Ingest is not null, timeoutMs: 60_000);
    }
}
