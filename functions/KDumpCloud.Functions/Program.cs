using KDumpCloud.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: the ingest core and its Azure adapters, configured from the same KDumpStorage key the relay
// reads (app settings KDumpStorage__queueServiceUri, __blobServiceUri, __tableServiceUri, __clientId), and telemetry
// to Application Insights when the platform names it (FunctionServices.AddKDumpFunction).
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddKDumpFunction(builder.Configuration);
builder.Build().Run();
