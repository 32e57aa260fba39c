using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Infra.Tests.Code;

/// <summary>What an app's start-up code reads, learned by running it.</summary>
internal static class HostCode
{
    /// <summary>
    /// The configuration keys (':' form) an app's service registration reads when its configuration holds
    /// <paramref name="settings"/>: <paramref name="register"/> (the app's own start-up code) runs against a recording
    /// configuration, then every options type of this project it registered is bound and post-configured as the host would
    /// (validation left out: only the keys matter here).
    /// </summary>
    public static IReadOnlySet<string> KeysRead(IEnumerable<KeyValuePair<string, string?>> settings,
        Action<IServiceCollection, IConfiguration> register)
    {
        var configuration = new RecordingConfiguration(settings);
        var services = new ServiceCollection();
        register(services, configuration.ToConfiguration());
        var optionTypes = services
            .Where(service => service.ServiceType.IsGenericType
                && (service.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>)
                    || service.ServiceType.GetGenericTypeDefinition() == typeof(IPostConfigureOptions<>)))
            .Select(service => service.ServiceType.GetGenericArguments()[0])
            .Where(type => type.Assembly.GetName().Name!.StartsWith("KDumpCloud.", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        using var provider = services.BuildServiceProvider();
        foreach (var type in optionTypes)
        {
            var options = Activator.CreateInstance(type)!;
            var configures = (IEnumerable<object>)provider.GetServices(typeof(IConfigureOptions<>).MakeGenericType(type));
            foreach (var configure in configures)
            {
                configure.GetType().GetMethod(nameof(IConfigureOptions<object>.Configure), [type])!.Invoke(configure, [options]);
            }

            var postConfigures = (IEnumerable<object>)provider.GetServices(typeof(IPostConfigureOptions<>).MakeGenericType(type));
            foreach (var postConfigure in postConfigures)
            {
                postConfigure.GetType().GetMethod(nameof(IPostConfigureOptions<object>.PostConfigure), [typeof(string), type])!
                    .Invoke(postConfigure, [Options.DefaultName, options]);
            }
        }

        return configuration.KeysRead;
    }
}
