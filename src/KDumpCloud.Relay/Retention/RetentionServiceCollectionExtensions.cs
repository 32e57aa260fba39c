using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Retention of uploaded dumps, only when <c>KDumpStorage</c> is configured: without uploads nothing in the spool
    /// is ever "done", so nothing is deleted. Call after the spool's and the listener's services.
    /// </summary>
    public static IServiceCollection AddSpoolRetention(this IServiceCollection services, IConfiguration configuration)
    {
        if (!KDumpStorageOptions.IsConfigured(configuration))
        {
            return services;
        }

        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsAnnotationsValidator>();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddSingleton<SpoolRetention>();
        services.AddHostedService<SpoolRetentionService>();
        return services;
    }
}
