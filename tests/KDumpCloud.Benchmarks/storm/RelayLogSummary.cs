using System.Text.RegularExpressions;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// What the relay's own log says (console logger entries, single-line with a timestamp or the default two-line
/// layout): transfers started, completed and left incomplete, refusals by reason, and the first errors.
/// </summary>
internal sealed partial record RelayLogSummary(
    int Started, int Completed, int Incomplete, int Errors, int Critical,
    IReadOnlyList<(string Reason, int Count)> Refusals,
    IReadOnlyList<(string Reason, int Count)> IncompleteReasons,
    IReadOnlyList<string> FirstErrors)
{
    public static RelayLogSummary Read(string path)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
        var incomplete = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstErrors = new List<string>();
        int started = 0, completed = 0, incompleteCount = 0, errors = 0, critical = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (EntryLine().Match(lines[i]) is not { Success: true } entry)
            {
                continue;
            }

            var level = entry.Groups[1].Value;
            var message = entry.Groups[2].Value.Length > 0 || i + 1 >= lines.Length ? entry.Groups[2].Value : lines[i + 1].Trim();
            if (level is "fail" or "crit")
            {
                _ = level == "fail" ? errors++ : critical++;
                if (firstErrors.Count < 3)
                {
                    firstErrors.Add(string.Join(" | ", lines.Skip(i).Take(4).Select(l => l.Trim())));
                }
            }

            if (message.StartsWith("Started ", StringComparison.Ordinal)) { started++; }
            else if (message.StartsWith("Completed ", StringComparison.Ordinal)) { completed++; }
            else if (IncompleteLine().Match(message) is { Success: true } lost)
            {
                incompleteCount++;
                Count(incomplete, lost.Groups[1].Value);
            }
            else if (RefusedLine().Match(message) is { Success: true } refused)
            {
                Count(refusals, refused.Groups[1].Value);
            }
        }

        return new RelayLogSummary(started, completed, incompleteCount, errors, critical, Top(refusals), Top(incomplete), firstErrors);
    }

    private static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static List<(string, int)> Top(Dictionary<string, int> counts) =>
        [.. counts.OrderByDescending(c => c.Value).Take(5).Select(c => (c.Key, c.Value))];

    /// <summary>"[timestamp ]level: category[event] message", the message on the next line when empty.</summary>
    [GeneratedRegex(@"^(?:\S+ )?(trce|dbug|info|warn|fail|crit): \S+\[\d+\]\s?(.*)$")]
    private static partial Regex EntryLine();

    [GeneratedRegex(@"^Refused \S+ from \S+: (.*)$")]
    private static partial Regex RefusedLine();

    [GeneratedRegex(@"^Incomplete \S+ from \S+: (.*?); kept \d+ bytes")]
    private static partial Regex IncompleteLine();
}
