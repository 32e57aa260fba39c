using System.Text.Json;

namespace KDumpCloud.Benchmarks.Upload;

/// <summary>
/// The fields of a relay journal (<c>journal/&lt;name&gt;.json</c>) the benchmarks read. Parsed as plain JSON rather
/// than through the relay's types, so the tool builds and measures whatever relay the script runs.
/// </summary>
internal sealed record JournalSnapshot(
    string DumpId,
    string FileName,
    long FileLength,
    string? Sha256,
    DateTimeOffset? FinishedAt,
    string? UploadState,
    string? UploadBlob,
    DateTimeOffset? UploadUpdatedAt)
{
    /// <summary>The journal now, or null while it is missing or being replaced (the relay writes it anew).</summary>
    public static JournalSnapshot? TryRead(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var upload = root.TryGetProperty("upload", out var value) && value.ValueKind == JsonValueKind.Object ? value : default;
            return new JournalSnapshot(
                root.GetProperty("dumpId").GetString()!,
                root.GetProperty("fileName").GetString()!,
                root.TryGetProperty("fileLength", out var length) ? length.GetInt64() : 0,
                Text(root, "sha256"),
                Time(root, "finishedAt"),
                Text(upload, "state"),
                Text(upload, "blob"),
                Time(upload, "updatedAt"));
        }
        catch (Exception error) when (error is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Polls the journal until <paramref name="done"/> holds for it.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/>.</exception>
    public static async Task<JournalSnapshot> WaitAsync(string path, Func<JournalSnapshot, bool> done, TimeSpan poll, TimeSpan timeout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (TryRead(path) is { } journal && done(journal))
            {
                return journal;
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"{path}: not there within {timeout.TotalSeconds:0} s (last read: {TryRead(path)})");
            }

            await Task.Delay(poll, TimeProvider.System);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
}
