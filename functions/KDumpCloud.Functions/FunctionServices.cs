using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Functions;

/// <summary>What Program.cs registers, in one place the tests can run.</summary>
public static class FunctionServices
{
    /// <summary>The <c>service.name</c> of the Function's telemetry.</summary>
    public const string TelemetryServiceName = "kdumpcloud-ingest";

    /// <summary>
    /// The ingest core and its Azure adapters (<see cref="IngestServiceCollectionExtensions.AddKDumpIngest"/>), and
    /// telemetry: traces, metrics and logs to Application Insights when the platform sets
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> (with <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>, as the
    /// app's identity), or over OTLP (<c>Telemetry:OtlpEndpoint</c>); with neither, the OpenTelemetry SDK is not
    /// registered. The worker's defaults add the Functions resource and the invocation's span, which the ingest span
    /// links to when the message carries the dump's own trace.
    /// </summary>
    /// <returns>Whether telemetry was registered.</returns>
    public static bool AddKDumpFunction(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKDumpIngest(configuration);
        if (!services.AddKDumpTelemetry(configuration, TelemetryServiceName))
        {
            return false;
        }

        services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
        return true;
    }
}
