using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>A mistyped <c>Telemetry:*</c> setting stops the relay at start with the setting's name, whether or not an
/// exporter is configured.</summary>
public sealed class TelemetryOptionsTests
{
    [Theory]
    [InlineData("Telemetry:SamplingRatio", "1.5", "Telemetry:SamplingRatio must be between 0 and 1")]
    [InlineData("Telemetry:SamplingRatio", "-0.1", "Telemetry:SamplingRatio must be between 0 and 1")]
    [InlineData("Telemetry:OtlpProtocol", "http", "Telemetry:OtlpProtocol must be grpc or http/protobuf")]
    [InlineData("Telemetry:OtlpEndpoint", "collector:4317", "Telemetry:OtlpEndpoint must be an absolute http(s) URL")]
    public async Task BadSetting_RelayRefusesToStart_NamingIt(string key, string value, string message)
    {
        foreach (var withExporter in new[] { false, true })
        {
            var settings = new Dictionary<string, string?> { [key] = value };
            if (withExporter && key != "Telemetry:OtlpEndpoint")
            {
                settings["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317";
            }

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RelayUnderTest.StartAsync(settings));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GoodSettings_RelayStarts()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Telemetry:SamplingRatio"] = "0.25",
            ["Telemetry:OtlpProtocol"] = "http/protobuf",
            ["Telemetry:Prometheus"] = "true",
        });
        Assert.NotNull(relay.EndPoint);
    }
}
