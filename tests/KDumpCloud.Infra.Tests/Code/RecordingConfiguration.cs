using Microsoft.Extensions.Configuration;

namespace KDumpCloud.Infra.Tests.Code;

/// <summary>A configuration that answers from given values and records every key the code asks for, so a test
/// learns what a host reads by running the host's own binding code, not from a list kept by hand.</summary>
internal sealed class RecordingConfiguration : ConfigurationProvider, IConfigurationSource
{
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public RecordingConfiguration(IEnumerable<KeyValuePair<string, string?>> values)
    {
        foreach (var (key, value) in values)
        {
            Data[key] = value;
        }
    }

    public IReadOnlySet<string> KeysRead => _read;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public override bool TryGet(string key, out string? value)
    {
        _read.Add(key);
        return base.TryGet(key, out value);
    }

    public IConfiguration ToConfiguration() => new ConfigurationBuilder().Add(this).Build();
}
