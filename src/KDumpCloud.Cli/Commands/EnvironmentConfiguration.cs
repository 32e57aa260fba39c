using System.Collections;
using Microsoft.Extensions.Configuration;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// The configuration <c>ingest</c> and <c>crashes</c> hand to <c>AddKDumpIngest</c>: the environment, read the way the
/// relay's and the Functions host's environment-variable provider reads it (<c>__</c> separates sections, so
/// <c>KDumpStorage__tableServiceUri</c> is <c>KDumpStorage:tableServiceUri</c>). Built from a dictionary rather than
/// the process so that tests pass their own.
/// </summary>
internal static class EnvironmentConfiguration
{
    public static IConfiguration From(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in environment)
        {
            if (variable.Key is string name && name.Length > 0)
            {
                settings[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = variable.Value as string;
            }
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
