using System.Net;
using System.Text.RegularExpressions;
using KDumpCloud.Relay.Dashboard;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>The relay's dashboard shows the pipeline's health from the same checks as /health/ready.</summary>
public sealed partial class DashboardHealthTests
{
    [Fact]
    public async Task Overview_ShowsReadinessAndEachCheck_AsHealthReadySaysThem()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var dashboard = DashboardClient(relay);
        using var operations = HealthResponse.ClientFor(relay);

        var facts = Facts(await dashboard.GetStringAsync("/"));
        var ready = await HealthResponse.GetAsync(operations, "/health/ready");

        Assert.Equal(("ok", "yes"), facts["Ready"]);
        Assert.Equal(("ok", ready.Check(RelayHealth.Listener).GetProperty("description").GetString()), facts["UDP listener"]);
        Assert.Equal(("ok", "listening on UDP " + relay.EndPoint), facts["UDP listener"]);
        Assert.Equal(("ok", "writable"), facts["Spool writable"]);
        Assert.Equal(("ok", "done"), facts["Spool recovery"]);
        Assert.Equal(("info", "none: this relay ingests its dumps itself (no KDumpStorage)"), facts["Upload backlog"]);
        Assert.Equal("info", facts["Free disk"].Level);
    }

    [Fact]
    public async Task Overview_SpoolNotWritable_SaysNotReadyAndWhy()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var dashboard = DashboardClient(relay);
        var dumps = relay.Spool.DumpsDirectory;
        Directory.Move(dumps, dumps + ".moved");
        await File.WriteAllTextAsync(dumps, "not a directory");
        Dictionary<string, (string Level, string Text)> facts;
        try
        {
            facts = Facts(await dashboard.GetStringAsync("/"));
        }
        finally
        {
            File.Delete(dumps);
            Directory.Move(dumps + ".moved", dumps);
        }

        Assert.Equal(("failing", "not ready, waiting for spool: " + dumps + " is not a directory"), facts["Ready"]);
        Assert.Equal(("failing", dumps + " is not a directory"), facts["Spool writable"]);
        Assert.Equal("ok", facts["UDP listener"].Level);
    }

    private static HttpClient DashboardClient(RelayUnderTest relay)
    {
        var address = relay.Services.GetRequiredService<RelayDashboardService>().Address ?? throw new InvalidOperationException("no dashboard");
        return new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The overview's relay facts by name: the level (info for a plain figure) and the text.</summary>
    private static Dictionary<string, (string Level, string Text)> Facts(string html)
    {
        var section = html[html.IndexOf("id=\"relay-state\"", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("</dl>", StringComparison.Ordinal)];
        return Fact().Matches(section).ToDictionary(
            match => WebUtility.HtmlDecode(match.Groups["name"].Value),
            match => (match.Groups["level"].Success ? match.Groups["level"].Value : "info",
                WebUtility.HtmlDecode(match.Groups["text"].Value).Trim()));
    }

    [GeneratedRegex("""<dt>(?<name>[^<]*)</dt>\s*<dd(?: data-level="(?<level>[a-z]+)")?>(?:<span class="level[^"]*">[a-z]+</span>)?(?<text>[^<]*)</dd>""")]
    private static partial Regex Fact();
}
