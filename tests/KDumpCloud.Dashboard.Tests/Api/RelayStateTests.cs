using System.Net;
using System.Text.RegularExpressions;
using KDumpCloud.Dashboard.Reading;
using KDumpCloud.Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Dashboard.Tests.Api;

/// <summary>The overview's relay section over real HTTP: a relay's health facts with their level, text encoded; and
/// the Azure app's overview, which has no relay to ask.</summary>
public sealed partial class RelayStateTests
{
    [Fact]
    public async Task Overview_WithARelay_ShowsEachFactWithItsLevel()
    {
        using var lab = new LabStore();
        var source = new FixedRelayState(
        [
            new("Ready", "not ready, waiting for spool: /var/lib/kdumpcloud/dumps is not a directory", RelayStateLevel.Failing),
            new("Storage", "unreachable: container http://127.0.0.1:1/dumps", RelayStateLevel.Degraded),
            new("UDP listener", "listening on UDP 0.0.0.0:1069", RelayStateLevel.Ok),
            new("Free disk", "12.5 GiB"),
        ]);
        await using var server = await DashboardServer.StartAsync(lab, services: services => services.AddSingleton<IRelayStateSource>(source));

        var html = await server.Http.GetStringAsync("/");

        Assert.Contains("""<dt>Ready</dt>""", html, StringComparison.Ordinal);
        Assert.Equal(
            [
                ("Ready", "failing", "failing"),
                ("Storage", "degraded", "degraded"),
                ("UDP listener", "ok", "ok"),
            ],
            Leveled().Matches(html).Select(m => (m.Groups["name"].Value, m.Groups["level"].Value, m.Groups["word"].Value)));
        Assert.Contains("<dt>Free disk</dt>", html, StringComparison.Ordinal);
        Assert.Contains("<dd>12.5 GiB</dd>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("not known here", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_RelayTextIsEncoded()
    {
        using var lab = new LabStore();
        var source = new FixedRelayState([new("Spool writable", "/srv/<script>alert(1)</script> is not writable", RelayStateLevel.Failing)]);
        await using var server = await DashboardServer.StartAsync(lab, services: services => services.AddSingleton<IRelayStateSource>(source));

        var html = await server.Http.GetStringAsync("/");

        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("/srv/&lt;script&gt;alert(1)&lt;/script&gt; is not writable", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_WithoutARelay_SaysHealthIsNotKnownHere()
    {
        using var lab = new LabStore();
        await using var server = await DashboardServer.StartAsync(lab);

        var response = await server.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<dt>Relay health</dt>", html, StringComparison.Ordinal);
        Assert.Contains("not known here (each relay serves its own on <code>/health/ready</code>", html, StringComparison.Ordinal);
        Assert.Empty(Leveled().Matches(html));
    }

    private sealed class FixedRelayState(IReadOnlyList<RelayStateItem> items) : IRelayStateSource
    {
        public Task<IReadOnlyList<RelayStateItem>> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(items);
    }

    [GeneratedRegex("""<dt>(?<name>[^<]*)</dt>\s*<dd data-level="(?<level>[a-z]+)"><span class="level level-\k<level>">(?<word>[a-z]+)</span>""")]
    private static partial Regex Leveled();
}
