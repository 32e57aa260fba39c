using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>/health/live and /health/ready over real HTTP on loopback, against a real relay.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Live_AnswersWithoutRunningAnyCheck()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);

        var live = await HealthResponse.GetAsync(http, "/health/live");

        Assert.Equal(HttpStatusCode.OK, live.Code);
        Assert.Equal("application/json", live.ContentType);
        Assert.Equal("Healthy", live.Status);
        Assert.Empty(live.CheckNames);
        Assert.False(live.Body.TryGetProperty("ready", out _));
    }

    [Fact]
    public async Task Ready_ListeningWritableRecovered_Is200AndListsEachCheck()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);

        var ready = await HealthResponse.GetAsync(http, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.Code);
        Assert.True(ready.Ready);
        Assert.Equal("Healthy", ready.Status);
        Assert.Equal([RelayHealth.Listener, RelayHealth.SpoolWritable, RelayHealth.SpoolRecovery], ready.CheckNames);
        foreach (var name in ready.CheckNames)
        {
            Assert.Equal("Healthy", ready.Check(name).GetProperty("status").GetString());
            Assert.True(ready.Check(name).GetProperty("required").GetBoolean());
        }

        var listener = ready.Check(RelayHealth.Listener);
        Assert.Equal("listening on UDP " + relay.EndPoint, listener.GetProperty("description").GetString());
        Assert.Equal(relay.EndPoint.ToString(), listener.GetProperty("data").GetProperty("endPoint").GetString());
        var spool = ready.Check(RelayHealth.SpoolWritable).GetProperty("data");
        Assert.Equal(relay.Spool.DumpsDirectory, spool.GetProperty("dumpsDirectory").GetString());
        Assert.True(spool.GetProperty("freeBytes").GetInt64() > 0);
    }

    /// <summary>
    /// dumps/ replaced by a file: tests may run as root, for whom chmod takes nothing away, but a file where the
    /// directory was is refused to every user. Readiness fails (503, the spool check says why) while liveness stays,
    /// and comes back once the directory is back.
    /// </summary>
    [Fact]
    public async Task Ready_SpoolDirectoryReplacedByAFile_Is503UntilItIsBack()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);
        var dumps = relay.Spool.DumpsDirectory;
        var moved = dumps + ".moved";
        Directory.Move(dumps, moved);
        await File.WriteAllTextAsync(dumps, "not a directory");
        try
        {
            var ready = await HealthResponse.GetAsync(http, "/health/ready");
            var live = await HealthResponse.GetAsync(http, "/health/live");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Code);
            Assert.False(ready.Ready);
            Assert.Equal("Unhealthy", ready.Status);
            var spool = ready.Check(RelayHealth.SpoolWritable);
            Assert.Equal("Unhealthy", spool.GetProperty("status").GetString());
            Assert.Equal(dumps + " is not a directory", spool.GetProperty("description").GetString());
            Assert.Equal("Healthy", ready.Check(RelayHealth.Listener).GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, live.Code);
        }
        finally
        {
            File.Delete(dumps);
            Directory.Move(moved, dumps);
        }

        var again = await HealthResponse.GetAsync(http, "/health/ready");
        Assert.Equal(HttpStatusCode.OK, again.Code);
        Assert.True(again.Ready);
    }

    [Fact]
    public async Task Ready_SpoolDirectoryMissing_Is503()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);
        var journal = relay.Spool.JournalDirectory;
        Directory.Move(journal, journal + ".moved");
        try
        {
            var ready = await HealthResponse.GetAsync(http, "/health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Code);
            Assert.StartsWith(journal + " is missing", ready.Check(RelayHealth.SpoolWritable).GetProperty("description").GetString(),
                StringComparison.Ordinal);
        }
        finally
        {
            Directory.Move(journal + ".moved", journal);
        }
    }

    [Fact]
    public async Task Ready_AfterTheRelayStopped_Is503ForTheListener()
    {
        var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);
        var health = relay.Services.GetRequiredService<RelayHealth>();
        try
        {
            Assert.True(RelayHealth.IsReady(await health.CheckReadinessAsync(CancellationToken.None)));
            await relay.StopAsync();

            var report = await health.CheckReadinessAsync(CancellationToken.None);

            Assert.False(RelayHealth.IsReady(report));
            Assert.Equal("not receiving on UDP " + relay.EndPoint + " (stopped)", report.Entries[RelayHealth.Listener].Description);
        }
        finally
        {
            await relay.DisposeAsync();
        }
    }

    [Fact]
    public async Task PortTaken_RelayRunsWithoutTheEndpoint()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Operations:Url"] = $"http://127.0.0.1:{port}" });

        Assert.Null(relay.Services.GetRequiredService<OperationsService>().Address);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-still-served"));
        Assert.NotNull(await mac.ReceiveAsync(10_000));
    }

    [Fact]
    public async Task Disabled_NoEndpointButReadinessIsStillChecked()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Operations:Enabled"] = "false" });

        Assert.Null(relay.Services.GetService<OperationsService>());
        var report = await relay.Services.GetRequiredService<RelayHealth>().CheckReadinessAsync(CancellationToken.None);
        Assert.True(RelayHealth.IsReady(report));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:9464")]
    [InlineData("http://127.0.0.1:9464/health")]
    public async Task BadUrl_RelayRefusesToStart(string url)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Operations:Url"] = url }));
        Assert.Contains("Operations:Url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthJson_IsOneObjectPerCheckWithItsData()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);

        using var response = await http.GetAsync("/health/ready");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var check = document.RootElement.GetProperty("checks")[0];
        Assert.Equal(["name", "status", "required", "description", "durationMs", "data"], check.EnumerateObject().Select(p => p.Name));
    }
}
