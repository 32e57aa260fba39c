using System.Globalization;
using System.Text.Json;
using KDumpCloud.Benchmarks.Upload;
using KDumpCloud.Ingest.Embedded;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>
/// The embedded relay's EOF → occurrence latency, from what it left behind: each dump's journal (<c>finishedAt</c>,
/// when the EOF arrived, and <c>ingest.updatedAt</c>, when the result was written back) and its occurrence in
/// <c>crashes.db</c> (<c>recordedAt</c>, when the store counted it). Read after the relay has stopped.
/// </summary>
internal static class EmbeddedLatency
{
    public static async Task<int> RunAsync(CommandArguments arguments)
    {
        var dataDirectory = arguments.Required("data-directory");
        var names = File.ReadAllLines(arguments.Required("names")).Where(line => line.Length > 0).ToList();
        var store = new SqliteCrashStore(Path.Combine(dataDirectory, SqliteCrashStore.FileName), TimeProvider.System);
        var toRecorded = new List<double>();
        var toJournal = new List<double>();
        var failures = 0;
        foreach (var name in names)
        {
            using var journal = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dataDirectory, "journal", name + ".json")));
            var root = journal.RootElement;
            var finishedAt = Time(root.GetProperty("finishedAt"));
            var ingest = root.TryGetProperty("ingest", out var value) ? value : default;
            var occurrence = await store.FindOccurrenceAsync(root.GetProperty("dumpId").GetGuid());
            if (ingest.ValueKind != JsonValueKind.Object || ingest.GetProperty("state").GetString() != "recorded" || occurrence?.RecordedAt is null)
            {
                failures++;
                Console.WriteLine($"dump {name} not-recorded");
                continue;
            }

            var recorded = (occurrence.RecordedAt.Value - finishedAt).TotalMilliseconds;
            var written = (Time(ingest.GetProperty("updatedAt")) - finishedAt).TotalMilliseconds;
            toRecorded.Add(recorded);
            toJournal.Add(written);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dump {name} eof-to-recorded-ms {recorded:F1} eof-to-journal-ms {written:F1} status {occurrence.Status} outcome {occurrence.Outcome}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"embedded dumps {names.Count} recorded {toRecorded.Count} not-recorded {failures} "
            + $"{new LatencySummary(toRecorded).Fields("eof-to-recorded")} {new LatencySummary(toJournal).Fields("eof-to-journal")}"));
        return failures == 0 ? 0 : 1;
    }

    private static DateTimeOffset Time(JsonElement element) => DateTimeOffset.Parse(element.GetString()!, CultureInfo.InvariantCulture);
}
