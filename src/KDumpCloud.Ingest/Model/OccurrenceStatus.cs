using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Model;

/// <summary>How far ingest got with a dump.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OccurrenceStatus>))]
public enum OccurrenceStatus
{
    /// <summary>A panic was found and decoded.</summary>
    Decoded,

    /// <summary>The dump was read but held no panic the decoder could find; grouped under <see cref="WellKnownGroups.NoPanic"/>.</summary>
    NoPanic,

    /// <summary>Ingest failed on it repeatedly (the poison queue); grouped under <see cref="WellKnownGroups.IngestFailed"/>.</summary>
    Failed,
}
