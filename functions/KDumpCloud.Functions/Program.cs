using KDumpCloud.Ingest.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: the ingest core and its Azure adapters, configured from the same KDumpStorage key the relay
// reads (app settings KDumpStorage__queueServiceUri, __blobServiceUri, __tableServiceUri, __clientId).
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddKDumpIngest(builder.Configuration);
builder.Build().Run();
