using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>systemd is told READY=1 only once the relay is ready, through a real notify socket.</summary>
public sealed class SystemdReadinessTests
{
    /// <summary>The built relay as a child process, as systemd starts it (NOTIFY_SOCKET in its environment): READY=1
    /// comes once, with a status naming the UDP endpoint, and a write request sent the moment it arrives is answered.</summary>
    [Fact]
    public async Task RelayProcess_SendsReadyOnce_AndAnswersWhenItArrives()
    {
        using var systemd = new NotifySocket();
        var data = RelayUnderTest.NewDataDirectory();
        await using var relay = await RelayProcess.StartAsync(data, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Path });

        var ready = await systemd.WaitForAsync(NotifySocket.IsReady);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var ack0 = await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-after-ready"));

        Assert.Equal(new byte[] { 3, 4, 0, 0, 0, 0 }, ack0);
        Assert.Contains("STATUS=ready, listening on UDP " + relay.EndPoint, ready, StringComparison.Ordinal);
        Assert.Single(systemd.Received, NotifySocket.IsReady);
    }

    /// <summary>
    /// In process, with systemd's own lifetime (which says READY=1 as soon as every hosted service has started) and a
    /// readiness check that stays unhealthy until the test lets it pass: systemd hears what the relay waits for, and
    /// READY=1 only once every required check passes. STOPPING=1 still goes through on the way out.
    /// </summary>
    [Fact]
    public async Task ReadyWithheld_UntilEveryRequiredCheckPasses()
    {
        using var systemd = new NotifySocket();
        var open = false;
        var relay = await RelayUnderTest.StartAsync(
            new Dictionary<string, string?> { [SystemdNotifications.SocketSetting] = systemd.Path },
            services: services =>
            {
                services.AddSingleton<IHostLifetime, SystemdLifetime>();
                services.AddHealthChecks().AddCheck("gate",
                    () => Volatile.Read(ref open) ? HealthCheckResult.Healthy("open") : HealthCheckResult.Unhealthy("closed by the test"),
                    tags: [RelayHealth.ReadyTag]);
            });
        try
        {
            var waiting = await systemd.WaitForAsync(message => message.Contains("STATUS=", StringComparison.Ordinal));
            Assert.Equal("STATUS=not ready, waiting for gate: closed by the test", waiting);
            Volatile.Write(ref open, true);
            var ready = await systemd.WaitForAsync(NotifySocket.IsReady);

            Assert.Equal("READY=1\nSTATUS=ready, listening on UDP " + relay.EndPoint, ready);
            Assert.Equal(1, systemd.Received.FindIndex(NotifySocket.IsReady));
            Assert.True(relay.Services.GetRequiredService<ReadinessMonitor>().HasBeenReady);
        }
        finally
        {
            await relay.DisposeAsync();
        }

        await systemd.WaitForAsync(message => message == "STOPPING=1");
    }

    /// <summary>After READY=1, readiness lost and regained shows in STATUS= lines (the check runs every
    /// <see cref="ReadinessMonitor.ReadyInterval"/>), and READY=1 is never sent twice.</summary>
    [Fact]
    public async Task ReadinessLostAfterReady_ShowsInStatus_AndReadyIsNotRepeated()
    {
        using var systemd = new NotifySocket();
        var open = true;
        await using var relay = await RelayUnderTest.StartAsync(
            new Dictionary<string, string?> { [SystemdNotifications.SocketSetting] = systemd.Path },
            services: services => services.AddHealthChecks().AddCheck("gate",
                () => Volatile.Read(ref open) ? HealthCheckResult.Healthy("open") : HealthCheckResult.Unhealthy("closed by the test"),
                tags: [RelayHealth.ReadyTag]));
        await systemd.WaitForAsync(NotifySocket.IsReady);

        Volatile.Write(ref open, false);
        var lost = await systemd.WaitForAsync(message => message.StartsWith("STATUS=not ready", StringComparison.Ordinal));
        Volatile.Write(ref open, true);
        var back = await systemd.WaitForAsync(message => message.StartsWith("STATUS=ready", StringComparison.Ordinal));

        Assert.Equal("STATUS=not ready, waiting for gate: closed by the test", lost);
        Assert.Equal("STATUS=ready, listening on UDP " + relay.EndPoint, back);
        Assert.Single(systemd.Received, NotifySocket.IsReady);
    }

    [Fact]
    public async Task WithoutNotifySocket_NothingIsSentAndReadinessIsStillFollowed()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var monitor = relay.Services.GetRequiredService<ReadinessMonitor>();

        Assert.False(relay.Services.GetRequiredService<SystemdNotifications>().IsEnabled);
        await Eventually.TrueAsync(() => monitor.HasBeenReady, 30_000);
    }
}
