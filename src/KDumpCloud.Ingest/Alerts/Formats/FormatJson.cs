using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KDumpCloud.Ingest.Alerts.Formats;

/// <summary>How every format writes its body: UTF-8 as it is (an emoji is 4 bytes, not a 12-byte escape, which
/// matters against Teams' byte limit), only what JSON requires escaped. The bodies are JSON for an API, never HTML.</summary>
internal static class FormatJson
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Options);
}
