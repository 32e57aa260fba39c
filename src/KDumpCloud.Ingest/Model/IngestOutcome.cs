using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Model;

/// <summary>What recording an occurrence meant for its group; alerts and reports key on it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IngestOutcome>))]
public enum IngestOutcome
{
    /// <summary>The first occurrence of this crash.</summary>
    NewGroup,

    /// <summary>A resolved group seen again, or a group seen on an OS build it had not been seen on.</summary>
    Regression,

    /// <summary>Another occurrence of a known crash.</summary>
    Repeat,
}
