using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>"Recovery done" rests on the host starting hosted services one by one in registration order, with the
/// mark after SpoolRecovery: these tests fail if either stops being true.</summary>
public sealed class SpoolRecoveryMarkTests
{
    [Fact]
    public async Task Mark_IsRegisteredAfterSpoolRecovery_AndServicesStartOneByOne()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var hosted = relay.Services.GetServices<IHostedService>().ToList();

        var recovery = hosted.FindIndex(service => service is SpoolRecovery);
        var mark = hosted.FindIndex(service => service is SpoolRecoveryMark);

        Assert.InRange(recovery, 0, mark - 1);
        Assert.False(relay.Services.GetRequiredService<IOptions<HostOptions>>().Value.ServicesStartConcurrently);
        Assert.True(relay.Services.GetRequiredService<SpoolRecoveryMark>().IsDone);
    }

    [Fact]
    public async Task Check_BeforeTheMarkStarts_IsUnhealthy()
    {
        var mark = new SpoolRecoveryMark();
        var check = new SpoolRecoveryHealthCheck(mark);

        var before = await check.CheckHealthAsync(new HealthCheckContext());
        await mark.StartAsync(CancellationToken.None);
        var after = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal((HealthStatus.Unhealthy, "in progress"), (before.Status, before.Description));
        Assert.Equal((HealthStatus.Healthy, "done"), (after.Status, after.Description));
    }
}
