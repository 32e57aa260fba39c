using System.Net;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>Storage is reported by /health/ready but never holds readiness back: each test has its own Azurite, since
/// one stops it.</summary>
public sealed class StorageHealthTests
{
    private static readonly Dictionary<string, string?> QuickToNotice = new()
    {
        ["Upload:Client:Retry:MaxRetries"] = "0",
        ["Upload:Client:Retry:NetworkTimeout"] = "00:00:02",
        ["Upload:RetryDelay"] = "00:00:00.100",
        ["Upload:MaxRetryDelay"] = "00:00:00.500",
        ["Upload:OperationTimeout"] = "00:00:03",
        ["Upload:BreakerMinimumThroughput"] = "2",
        ["Upload:BreakDuration"] = "00:00:30",
    };

    [Fact]
    public async Task StorageReachable_ReadyAndHealthyWithStorageAndUploads()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(QuickToNotice));
        using var http = HealthResponse.ClientFor(relay);

        var ready = await HealthResponse.GetAsync(http, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.Code);
        Assert.Equal("Healthy", ready.Status);
        Assert.Equal([RelayHealth.Listener, RelayHealth.SpoolWritable, RelayHealth.SpoolRecovery, RelayHealth.Storage, RelayHealth.Uploads],
            ready.CheckNames);
        var storage = ready.Check(RelayHealth.Storage);
        Assert.Equal("Healthy", storage.GetProperty("status").GetString());
        Assert.False(storage.GetProperty("required").GetBoolean());
        Assert.Equal("reachable", storage.GetProperty("description").GetString());
        Assert.EndsWith("/" + target.ContainerName, storage.GetProperty("data").GetProperty("container").GetString(), StringComparison.Ordinal);
        var uploads = ready.Check(RelayHealth.Uploads);
        Assert.Equal("closed", uploads.GetProperty("data").GetProperty("circuit").GetString());
        Assert.Equal(0, uploads.GetProperty("data").GetProperty("backlogDumps").GetInt32());
    }

    [Fact]
    public async Task StorageUnreachable_StillReadyButDegraded_AndTheCircuitOpensWhenDumpsWait()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        var target = new UploadTarget(azurite, blockSizeBytes: 64 << 10);
        await azurite.StopAsync(deadline.Token);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(QuickToNotice));
        using var http = HealthResponse.ClientFor(relay);

        var ready = await HealthResponse.GetAsync(http, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.Code);
        Assert.True(ready.Ready);
        Assert.Equal("Degraded", ready.Status);
        var storage = ready.Check(RelayHealth.Storage);
        Assert.Equal("Degraded", storage.GetProperty("status").GetString());
        Assert.StartsWith("unreachable: container http://127.0.0.1:", storage.GetProperty("description").GetString(), StringComparison.Ordinal);

        // A dump that cannot be uploaded: the circuit opens and the backlog shows it, readiness stays.
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.SendAllAsync("core-waiting", TestContent.Random(100_000, 7));
        HealthResponse? broken = null;
        var until = Environment.TickCount64 + 60_000;
        while (Environment.TickCount64 < until)
        {
            broken = await HealthResponse.GetAsync(http, "/health/ready");
            if (broken.Check(RelayHealth.Uploads).GetProperty("data").GetProperty("circuit").GetString() == "open")
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.NotNull(broken);
        var uploads = broken.Check(RelayHealth.Uploads);
        Assert.Equal("Degraded", uploads.GetProperty("status").GetString());
        Assert.Equal("open", uploads.GetProperty("data").GetProperty("circuit").GetString());
        Assert.Equal(1, uploads.GetProperty("data").GetProperty("backlogDumps").GetInt32());
        Assert.Equal(HttpStatusCode.OK, broken.Code);
        Assert.True(broken.Ready);
    }
}
