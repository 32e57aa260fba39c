using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Dashboard.Web;

public static class EmbeddedStoreServiceCollectionExtensions
{
    /// <summary>Setting that names the relay data directory whose <c>crashes.db</c> the app reads without
    /// <c>KDumpStorage</c>.</summary>
    public const string DataDirectoryKey = "Dashboard:DataDirectory";

    /// <summary>The relay's SQLite store (<c>crashes.db</c> in <c>Dashboard:DataDirectory</c>, default
    /// <c>kdumpcloud-data</c>) and its spool's dumps, for running the app over a relay's files.</summary>
    public static IServiceCollection AddEmbeddedStore(this IServiceCollection services, IConfiguration configuration)
    {
        var directory = Path.GetFullPath(configuration[DataDirectoryKey] ?? "kdumpcloud-data");
        services.AddSingleton(provider => new SqliteCrashStore(Path.Combine(directory, SqliteCrashStore.FileName),
            provider.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ICrashStore>(provider => provider.GetRequiredService<SqliteCrashStore>());
        services.AddSingleton<ICrashQueries>(provider => new SqliteCrashQueries(provider.GetRequiredService<SqliteCrashStore>()));
        services.AddSingleton<IDumpReader>(new FileDumpReader(Path.Combine(directory, "dumps")));
        return services;
    }
}
