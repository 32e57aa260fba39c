using System.Reflection;
using KDumpCloud.Functions;
using KDumpCloud.Ingest.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Infra.Tests.Code;

/// <summary>What the Function's code reads and listens to, found in the code itself.</summary>
internal static class FunctionCode
{
    /// <summary>A queue trigger: its function, queue and connection name, from the attributes.</summary>
    public sealed record QueueTrigger(string Function, string Queue, string Connection);

    public static IReadOnlyList<QueueTrigger> QueueTriggers() =>
    [
        .. typeof(IngestFunctions).GetMethods()
            .Select(method => (Function: method.GetCustomAttribute<FunctionAttribute>(), method))
            .Where(pair => pair.Function is not null)
            .SelectMany(pair => pair.method.GetParameters()
                .Select(parameter => parameter.GetCustomAttribute<QueueTriggerAttribute>())
                .OfType<QueueTriggerAttribute>()
                .Select(trigger => new QueueTrigger(pair.Function!.Name, trigger.QueueName, trigger.Connection!))),
    ];

    /// <summary>
    /// The configuration keys (':' form) the Function's start-up code reads when its configuration holds
    /// <paramref name="settings"/>: Program.cs's <see cref="IngestServiceCollectionExtensions.AddKDumpIngest"/> runs
    /// against a recording configuration, then every options type of this project it registered is bound as the
    /// host would bind it (validation left out: only the keys matter here).
    /// </summary>
    public static IReadOnlySet<string> KeysRead(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new RecordingConfiguration(settings);
        var services = new ServiceCollection().AddKDumpIngest(configuration.ToConfiguration());
        var optionTypes = services
            .Where(service => service.ServiceType.IsGenericType && service.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
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
        }

        return configuration.KeysRead;
    }
}
