using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>Storage going away during a transfer and coming back: each test has its own Azurite, since it stops it.
/// Short timeouts and break durations keep them quick.</summary>
public sealed class StorageOutageTests
{
    private const int UploadFailedEventId = 402;
    private const int CircuitOpenedEventId = 420;
    private const int CircuitClosedEventId = 421;
    private const int ProbeFailedEventId = 422;

    [Fact]
    public async Task StorageDownDuringTransfer_DumpSpooledThenUploadedOnceWhenItIsBack()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(UploadTarget.QuickToNoticeOutage));
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(200_000, 61);

        await azurite.StopAsync(deadline.Token);
        await mac.SendAllAsync("core-outage", content);
        var failed = await relay.WaitForJournalAsync("core-outage", journal => journal.Upload?.Error is not null);
        await azurite.RestartAsync(deadline.Token);
        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-outage");

        Assert.NotEqual(UploadStates.Sent, failed.Upload!.State);
        Assert.Equal(content, (await target.Blob(journal).DownloadContentAsync(deadline.Token)).Value.Content.ToArray());
        var (_, message) = Assert.Single(await target.DrainAsync(deadline.Token));
        Assert.Equal(journal.DumpId, message.DumpId);
    }

    [Fact]
    public async Task StorageDownWhileDumpsArrive_OneOpenedAndOneClosedLine_EveryDumpUploadedAndAnnouncedOnce()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(UploadTarget.QuickToNoticeOutage), services: UploadTarget.CaptureLogs);
        string[] names = ["core-outage-1", "core-outage-2", "core-outage-3"];
        var contents = names.Select((_, i) => TestContent.Random(200_000 + (i * 70_000), 81 + i)).ToArray();

        // One dump first, so the container and queue exist: otherwise the probe that closes the circuit is "create the
        // container", and "create the queue" right after it can race Azurite's queue service coming up after its blob
        // service (a genuine failure, but not what this test is about).
        using (var early = new RawKdumpPeer(relay.EndPoint))
        {
            await early.SendAllAsync("core-before-outage", TestContent.Random(1000, 80));
            await UploadTarget.WaitUntilSentAsync(relay, "core-before-outage");
            Assert.Single(await target.DrainAsync(deadline.Token));
        }

        await azurite.StopAsync(deadline.Token);
        for (var i = 0; i < names.Length; i++)
        {
            using var mac = new RawKdumpPeer(relay.EndPoint);
            await mac.SendAllAsync(names[i], contents[i]);
        }

        // Down: the circuit opens once, and its probes fail quietly (Debug) while the uploads wait.
        await Eventually.TrueAsync(() => UploadTarget.Logs(relay, CircuitOpenedEventId).Count > 0, 20_000, "the circuit never opened");
        await Eventually.TrueAsync(() => UploadTarget.Logs(relay, ProbeFailedEventId).Count >= 2, 20_000, "no probe failed while storage was down");
        var failuresWhileOpen = UploadTarget.Logs(relay, UploadFailedEventId).Count;
        await Eventually.TrueAsync(() => UploadTarget.Logs(relay, ProbeFailedEventId).Count >= 4, 20_000, "probing stopped");
        await azurite.RestartAsync(deadline.Token);
        var journals = new List<DumpJournal>();
        foreach (var name in names)
        {
            try
            {
                journals.Add(await UploadTarget.WaitUntilSentAsync(relay, name, 30_000));
            }
            catch (TimeoutException error)
            {
                throw new TimeoutException($"{error.Message}\n{UploadTarget.UploadLog(relay)}", error);
            }
        }

        var log = UploadTarget.UploadLog(relay);
        var records = relay.Services.GetFakeLogCollector().GetSnapshot();
        var opened = records.Where(record => record.Id.Id == CircuitOpenedEventId).ToList();
        Assert.True(opened.Count == 1, log);
        Assert.Matches(@"^Storage unreachable \([a-z ]+: .+\).*Backlog: [123] dumps, [0-9]+ bytes", opened[0].Message); // the dumps that had started
        var closed = records.Where(record => record.Id.Id == CircuitClosedEventId).ToList();
        Assert.True(closed.Count == 1, log);
        Assert.Contains("Storage reachable again after", closed[0].Message, StringComparison.Ordinal);
        var failuresUntilClosed = records.TakeWhile(record => record != closed[0]).Count(record => record.Id.Id == UploadFailedEventId);
        Assert.True(failuresUntilClosed == failuresWhileOpen, log); // no per-dump lines while open
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(contents[i], (await target.Blob(journals[i]).DownloadContentAsync(deadline.Token)).Value.Content.ToArray());
        }

        var messages = await target.DrainAsync(deadline.Token);
        Assert.Equal(journals.Select(journal => journal.DumpId).Order(), messages.Select(message => message.Message.DumpId).Order());
    }
}
