using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Model;

/// <summary>The ingest side's JSON: camel case, nulls left out, enums as strings.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestMessage))]
[JsonSerializable(typeof(CrashReport))]
[JsonSerializable(typeof(CrashGroup))]
[JsonSerializable(typeof(Occurrence))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class IngestJsonContext : JsonSerializerContext;
