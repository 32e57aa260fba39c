using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The isolated worker: the ingest core and its Azure adapters, configured from the same KDumpStorage key the relay
// reads (app settings KDumpStorage__queueServiceUri, __blobServiceUri, __tableServiceUri, __clientId).
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddKDumpIngest(builder.Configuration);

// Traces, metrics and logs to Application Insights when the platform sets APPLICATIONINSIGHTS_CONNECTION_STRING (with
// the identity, APPLICATIONINSIGHTS_AUTHENTICATION_STRING), or over OTLP (Telemetry:OtlpEndpoint); nothing otherwise.
// The worker's defaults add the Functions resource and the invocation's span, which the ingest span links to.
if (builder.Services.AddKDumpTelemetry(builder.Configuration, "kdumpcloud-ingest"))
{
    builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
}

builder.Build().Run();
