using System.Text.Json;
using System.Text.Json.Serialization;

namespace KDumpCloud.Dashboard.Api;

/// <summary>The API's JSON: camel case, enums as their names, dates as ISO 8601.</summary>
internal static class DashboardJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
