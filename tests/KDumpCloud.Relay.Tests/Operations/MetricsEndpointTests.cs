using System.Diagnostics.Metrics;
using System.Net;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>The Prometheus scrape endpoint on the operations endpoint, scraped over real HTTP: the relay's own meter
/// provider (in the relay's container) is what the second web application serves.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Prometheus_ScrapeReturnsTheRelaysMetricsAsText()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Telemetry:Prometheus"] = "true" });
        using var http = HealthResponse.ClientFor(relay);
        Assert.True(relay.Services.GetRequiredService<OperationsService>().ServesMetrics);

        // Any instrument on a KDumpCloud.* meter is exported; this one is created after the provider started.
        using var meter = new Meter("KDumpCloud.Tests.Scrape");
        var counter = meter.CreateCounter<long>("kdumpcloud.tests.scraped", unit: "{thing}");
        counter.Add(3);

        var text = await ScrapeUntilAsync(http, scrape =>
            scrape.Contains("kdumpcloud_relay_ready{otel_scope_name=\"KDumpCloud.Relay.Health\"} 1\n", StringComparison.Ordinal)
            && scrape.Contains("kdumpcloud_tests_scraped_total{otel_scope_name=\"KDumpCloud.Tests.Scrape\"} 3\n", StringComparison.Ordinal));

        Assert.Contains("# TYPE kdumpcloud_relay_ready gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kdumpcloud_tests_scraped_total counter", text, StringComparison.Ordinal);
        Assert.Contains("service_name=\"kdumpcloud-relay\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_OnlyKDumpCloudMeters()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Telemetry:Prometheus"] = "true" });
        using var http = HealthResponse.ClientFor(relay);
        using var other = new Meter("Someone.Else");
        other.CreateCounter<long>("someone.else.count").Add(1);

        var text = await ScrapeUntilAsync(http, scrape => scrape.Contains("kdumpcloud_relay_ready", StringComparison.Ordinal));

        Assert.DoesNotContain("someone_else", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutPrometheus_NoScrapeEndpoint()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var http = HealthResponse.ClientFor(relay);

        using var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(relay.Services.GetRequiredService<OperationsService>().ServesMetrics);
    }

    /// <summary>Scrapes until <paramref name="until"/> holds (the gauge appears once the relay has checked its
    /// readiness), failing with the last scrape after 30 s.</summary>
    private static async Task<string> ScrapeUntilAsync(HttpClient http, Func<string, bool> until)
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            using var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            if (until(text))
            {
                return text;
            }

            Assert.True(Environment.TickCount64 < deadline, "the scrape never showed what was expected; last:\n" + text);
            await Task.Delay(100);
        }
    }
}
