using System.Reflection;
using KDumpCloud.Functions;
using Microsoft.Azure.Functions.Worker;

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

    /// <summary>The configuration keys (':' form) the Function's start-up code (Program.cs's
    /// <see cref="FunctionServices.AddKDumpFunction"/>: the ingest core and its telemetry) reads when its
    /// configuration holds <paramref name="settings"/>.</summary>
    public static IReadOnlySet<string> KeysRead(IEnumerable<KeyValuePair<string, string?>> settings) =>
        HostCode.KeysRead(settings, (services, configuration) => services.AddKDumpFunction(configuration));
}
