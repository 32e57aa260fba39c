using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KDumpCloud.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>Every activity source and meter KDumpCloud's libraries create is named under this prefix.</summary>
    public const string NamePattern = "KDumpCloud.*";

    /// <summary>
    /// OpenTelemetry for a KDumpCloud host named <paramref name="serviceName"/>: KDumpCloud's activity sources and
    /// meters, exported over OTLP (<see cref="TelemetryOptions.OtlpEndpoint"/>), to a Prometheus scrape endpoint
    /// (<see cref="TelemetryOptions.Prometheus"/>; the host maps it) and to Application Insights
    /// (<see cref="TelemetryOptions.AppInsightsConnectionStringKey"/>), each only when configured.
    /// <paramref name="tracing"/> and <paramref name="metrics"/> let a host (or a test, with an in-memory exporter)
    /// add its own; with them the SDK is registered even when nothing else is configured.
    /// </summary>
    /// <returns>Whether the SDK was registered.</returns>
    public static bool AddKDumpTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        var appInsights = configuration[TelemetryOptions.AppInsightsConnectionStringKey];
        var otlp = options.OtlpEndpoint;
        var azureMonitor = !string.IsNullOrWhiteSpace(appInsights);
        if (otlp is null && !options.Prometheus && !azureMonitor && tracing is null && metrics is null)
        {
            return false;
        }

        var credential = azureMonitor ? AppInsightsCredential(configuration[TelemetryOptions.AppInsightsAuthenticationKey]) : null;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: Environment.MachineName));

        if (otlp is not null || azureMonitor || tracing is not null)
        {
            telemetry.WithTracing(builder =>
            {
                // Clamped so that a ratio out of range reaches TelemetryOptionsValidator's message, not the sampler's.
                var ratio = Math.Clamp(options.SamplingRatio, 0, 1);
                builder.AddSource(NamePattern).SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(double.IsNaN(ratio) ? 1 : ratio)));
                if (otlp is not null)
                {
                    builder.AddOtlpExporter(exporter => Otlp(exporter, options));
                }

                if (azureMonitor)
                {
                    builder.AddAzureMonitorTraceExporter(exporter => AzureMonitor(exporter, appInsights!, credential));
                }

                tracing?.Invoke(builder);
            });
        }

        telemetry.WithMetrics(builder =>
        {
            builder.AddMeter(NamePattern);
            if (otlp is not null)
            {
                builder.AddOtlpExporter(exporter => Otlp(exporter, options));
            }

            if (options.Prometheus)
            {
                builder.AddPrometheusExporter();
            }

            if (azureMonitor)
            {
                builder.AddAzureMonitorMetricExporter(exporter => AzureMonitor(exporter, appInsights!, credential));
            }

            metrics?.Invoke(builder);
        });

        // Logs written inside a span carry its trace and span ids to the collectors that take logs.
        if (otlp is not null || azureMonitor)
        {
            telemetry.WithLogging(builder =>
            {
                if (otlp is not null)
                {
                    builder.AddOtlpExporter(exporter => Otlp(exporter, options));
                }

                if (azureMonitor)
                {
                    builder.AddAzureMonitorLogExporter(exporter => AzureMonitor(exporter, appInsights!, credential));
                }
            });
        }

        return true;
    }

    private static void Otlp(OtlpExporterOptions exporter, TelemetryOptions options)
    {
        exporter.Endpoint = options.OtlpEndpoint!;
        exporter.Protocol = string.Equals(options.OtlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.HttpProtobuf
            : OtlpExportProtocol.Grpc;
    }

    private static void AzureMonitor(AzureMonitorExporterOptions exporter, string connectionString, TokenCredential? credential)
    {
        exporter.ConnectionString = connectionString;
        exporter.Credential = credential;
    }

    /// <summary>Entra authentication for Application Insights when its authentication string asks for it
    /// (<c>Authorization=AAD;ClientId=...</c>), as the Functions host reads the same setting.</summary>
    internal static TokenCredential? AppInsightsCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !string.Equals(kind, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
