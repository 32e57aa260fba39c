using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// The ingest JSON as the table store writes it: the same shape as <see cref="IngestJsonContext"/>, with relaxed
/// escaping so that a non-ASCII character costs one character, not six, of a property's 64 KiB.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<CountedDump>))]
internal sealed partial class TableJson : JsonSerializerContext
{
    private static readonly IngestJsonContext Documents = new(new JsonSerializerOptions(IngestJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static readonly TableJson Relaxed = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Write(Occurrence occurrence) => JsonSerializer.Serialize(occurrence, Documents.Occurrence);

    public static string Write(CrashGroup group) => JsonSerializer.Serialize(group, Documents.CrashGroup);

    public static string Write(List<CountedDump> counted) => JsonSerializer.Serialize(counted, Relaxed.ListCountedDump);

    public static Occurrence ReadOccurrence(string json) =>
        JsonSerializer.Deserialize(json, Documents.Occurrence) ?? throw new JsonException("an occurrence document is null");

    public static CrashGroup ReadGroup(string json) =>
        JsonSerializer.Deserialize(json, Documents.CrashGroup) ?? throw new JsonException("a group document is null");

    public static List<CountedDump> ReadCounted(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, Relaxed.ListCountedDump) ?? [];
}
