using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>The ingest services as the Function's Program.cs builds them (<c>AddKDumpIngest</c> with <c>KDumpStorage</c>:
/// Blob and Table adapters), on one container and tables of their own, with the ingestor's timings captured.</summary>
internal static class IngestServices
{
    public static ServiceProvider Build(string connectionString, string container, IngestTimings timings)
    {
        var suffix = Guid.NewGuid().ToString("n")[..12];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KDumpStorage"] = connectionString,
            ["Ingest:Azure:DumpContainer"] = container,
            ["Ingest:Azure:GroupsTable"] = "benchgroups" + suffix,
            ["Ingest:Azure:OccurrencesTable"] = "benchoccurrences" + suffix,
        }).Build();
        return new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(timings))
            .AddKDumpIngest(configuration)
            .BuildServiceProvider();
    }
}
