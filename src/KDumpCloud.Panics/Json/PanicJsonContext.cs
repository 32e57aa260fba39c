using System.Text.Json.Serialization;

namespace KDumpCloud.Panics.Json;

/// <summary>Source-generated serializer for the decode output: camelCase, nulls omitted, one object per line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PanicReportDocument))]
public sealed partial class PanicJsonContext : JsonSerializerContext;
