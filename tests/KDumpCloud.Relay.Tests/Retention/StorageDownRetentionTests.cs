using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;
using static KDumpCloud.Relay.Tests.Retention.RetentionTestSupport;

namespace KDumpCloud.Relay.Tests.Retention;

/// <summary>Storage down while the spool fills: its own Azurite, since it stops it.</summary>
public sealed class StorageDownRetentionTests
{
    [Fact]
    public async Task StorageDown_SpoolFillsAndNothingIsRemoved_UntilEachMessageIsSent()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var target = new UploadTarget(azurite, blockSizeBytes: 16 << 10);
        const long quota = 1 << 20;
        // Rules that would remove every uploaded dump at once, run every 50 ms: only the message gate holds them.
        await using var relay = await RelayUnderTest.StartAsync(Settings(target, new()
        {
            ["Relay:SpoolQuotaBytes"] = Text(quota),
            ["Retention:UploadedMaxAge"] = "00:00:00",
            ["Retention:UploadedMaxBytes"] = "0",
            ["Retention:Interval"] = "00:00:00.050",
            ["Upload:Client:Retry:MaxRetries"] = "0",
            ["Upload:MaxRetryDelay"] = "00:00:00.500",
        }));
        await azurite.StopAsync(deadline.Token);
        string[] names = [.. Enumerable.Range(1, 6).Select(i => $"core-down-{i}")];

        foreach (var (name, seed) in names.Select((name, i) => (name, 500 + i)))
        {
            using var mac = new RawKdumpPeer(relay.EndPoint);
            await mac.SendAllAsync(name, TestContent.Random(150_000, seed));
        }

        // Six dumps leave less than one more under the quota: the seventh is stopped, the spool is full.
        var refused = await new KdumpSender(new KdumpSendOptions
        {
            Server = relay.EndPoint,
            LocalAddress = System.Net.IPAddress.Loopback,
            FileName = "core-down-refused",
            Content = TestContent.Random(150_000, 599),
            Timeouts = KernelTimeouts.Kernel.Scaled(10),
            MaxDuration = TimeSpan.FromSeconds(30),
        }).SendAsync(deadline.Token);
        Assert.NotEqual(SendOutcome.Completed, refused.Outcome);
        // Every dump is in and hashed, none announced: the uploader is waiting for storage (at its open circuit, or
        // between attempts), which is the state retention must leave alone.
        await Eventually.TrueAsync(
            () => names.All(name => relay.Spool.ReadJournal(name) is { State: DumpState.Complete, Sha256: not null } journal
                && journal.Upload?.State != UploadStates.Sent),
            30_000, "the dumps were not all spooled and hashed while storage was down");

        Assert.Empty(relay.Retention().RunPass().Removed);
        Assert.All(names, name => Assert.True(relay.Holds(name), $"{name} was removed before its message was sent"));

        await azurite.RestartAsync(deadline.Token);
        await Eventually.TrueAsync(() => !names.Any(relay.Holds), 60_000, "uploaded dumps were not removed once storage was back");

        var messages = await target.DrainAsync(deadline.Token);
        Assert.Subset(messages.Select(entry => entry.Message.FileName).ToHashSet(), names.ToHashSet());
    }
}
