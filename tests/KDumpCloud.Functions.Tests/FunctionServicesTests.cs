using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace KDumpCloud.Functions.Tests;

/// <summary>Program.cs's registrations: telemetry only when a destination is configured.</summary>
public sealed class FunctionServicesTests
{
    [Fact]
    public void AddKDumpFunction_NothingConfigured_RegistersNoOpenTelemetry()
    {
        var services = new ServiceCollection();

        Assert.False(services.AddKDumpFunction(new ConfigurationBuilder().Build()));

        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetService<TracerProvider>());
        Assert.Null(provider.GetService<MeterProvider>());
    }

    [Fact]
    public void AddKDumpFunction_OtlpConfigured_RegistersTracingAndMetrics()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317",
        }).Build();

        Assert.True(services.AddKDumpFunction(configuration));

        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<TracerProvider>());
        Assert.NotNull(provider.GetService<MeterProvider>());
    }
}
