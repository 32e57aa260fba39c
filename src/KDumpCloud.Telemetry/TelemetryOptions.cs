namespace KDumpCloud.Telemetry;

/// <summary>
/// Where KDumpCloud's traces, metrics and logs go (section <c>Telemetry</c>). Everything is off by default: with no
/// exporter configured the OpenTelemetry SDK is not even registered, so an activity is never created and a metric
/// costs one check for listeners.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Setting that names Application Insights (set by the platform on Azure Functions and App Service).</summary>
    public const string AppInsightsConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Setting that says how to authenticate to Application Insights: <c>Authorization=AAD</c> with an
    /// optional <c>ClientId=</c> of a user-assigned identity (local authentication off).</summary>
    public const string AppInsightsAuthenticationKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>An OTLP collector (for example <c>http://127.0.0.1:4317</c>): traces, metrics and logs are sent
    /// there. Unset: nothing is sent over OTLP.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The values <see cref="OtlpProtocol"/> takes.</summary>
    public static readonly IReadOnlyList<string> OtlpProtocols = ["grpc", "http/protobuf"];

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serve metrics for Prometheus to scrape (<c>/metrics</c> on the relay's operations endpoint).</summary>
    public bool Prometheus { get; set; }

    /// <summary>Fraction of dumps whose trace is recorded (parent-based: a continued trace keeps its decision).</summary>
    public double SamplingRatio { get; set; } = 1.0;
}
