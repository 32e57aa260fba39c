using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Hosting;

public static class KDumpStorageServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="KDumpStorageOptions"/> read from <paramref name="configuration"/> and checked at start for a host
    /// that uses <paramref name="required"/> (the relay: blob and queue; the ingest: blob and table). Adding it again
    /// for other services checks those too; adding it again for the same ones changes nothing.
    /// </summary>
    public static IServiceCollection AddKDumpStorageOptions(this IServiceCollection services, IConfiguration configuration,
        StorageServices required)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var validator = new KDumpStorageOptionsValidator(required);
        if (services.Any(descriptor => descriptor.ImplementationInstance is KDumpStorageOptionsValidator added && added.Required == required))
        {
            return services;
        }

        services.AddOptions<KDumpStorageOptions>().Configure(options => KDumpStorageOptions.Bind(configuration, options)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KDumpStorageOptions>>(validator);
        return services;
    }
}
