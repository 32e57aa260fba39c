using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Ingest.Hosting;

namespace KDumpCloud.Dashboard.Web;

public static class DashboardWebServiceCollectionExtensions
{
    /// <summary>
    /// Everything the dashboard app reads its store through, then the dashboard: with <c>KDumpStorage</c> the ingest
    /// core's Azure adapters (Table Storage and Blob, as in Azure or against Azurite); without it a relay's SQLite
    /// store (<see cref="EmbeddedStoreServiceCollectionExtensions.AddEmbeddedStore"/>). Program.cs calls only this,
    /// so tests/KDumpCloud.Infra.Tests can learn the settings the app reads by running it.
    /// </summary>
    public static IServiceCollection AddDashboardWeb(this IServiceCollection services, IConfiguration configuration)
    {
        if (KDumpStorageOptions.IsConfigured(configuration))
        {
            services.AddKDumpIngest(configuration);
        }
        else
        {
            services.AddEmbeddedStore(configuration);
        }

        return services.AddKDumpDashboard(configuration);
    }
}
