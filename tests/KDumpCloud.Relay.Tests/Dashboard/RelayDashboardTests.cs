using System.Net;
using KDumpCloud.Relay.Dashboard;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Dashboard;

/// <summary>The relay hosts the crash dashboard over its embedded store, and only then.</summary>
public sealed class RelayDashboardTests
{
    [Fact]
    public async Task EmbeddedRelay_ServesTheDashboardOverItsStore()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var dashboard = relay.Services.GetRequiredService<RelayDashboardService>();
        Assert.NotNull(dashboard.Address);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(dashboard.Address!.Host)));
        using var http = new HttpClient { BaseAddress = dashboard.Address, Timeout = TimeSpan.FromSeconds(60) };

        var overview = await http.GetAsync("/");
        var groups = await http.GetStringAsync("/api/groups");

        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("\"total\":0", groups, StringComparison.Ordinal);
        Assert.Contains("Dumps in the spool", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dashboard:Enabled", "false")]
    [InlineData("EmbeddedIngest:Enabled", "false")]
    public async Task SwitchedOffOrWithoutAStore_NoDashboard(string key, string value)
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { [key] = value });
        Assert.Null(relay.Services.GetService<RelayDashboardService>());
    }

    [Fact]
    public async Task PortTaken_RelayRunsWithoutTheDashboard()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Dashboard:Url"] = $"http://127.0.0.1:{port}" });

        Assert.Null(relay.Services.GetRequiredService<RelayDashboardService>().Address);
        Assert.NotNull(relay.EndPoint);
    }
}
