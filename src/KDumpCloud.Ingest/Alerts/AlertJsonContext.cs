using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>How the outboxes store notices and delivery records: camel case, nulls left out, enums as names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AlertNotice))]
[JsonSerializable(typeof(AlertDelivery))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
