namespace KDumpCloud.Benchmarks.Storm;

/// <summary>One phase's figures.</summary>
internal sealed record PhaseResult
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public required TimeSpan Wall { get; init; }

    public required WrqStats Wrqs { get; init; }

    /// <summary>Dumps by how they ended (empty for the flood, which never sends DATA).</summary>
    public IReadOnlyDictionary<MacOutcome, int> Outcomes { get; init; } = new Dictionary<MacOutcome, int>();

    /// <summary>Completed dumps whose spool file hashes to the bytes sent.</summary>
    public int ByteIdentical { get; init; }

    public int SpoolFilesAfter { get; set; }

    public int JournalFilesAfter { get; set; }

    public (long RssKib, int Threads, int Fds) RelayPeaks { get; set; }

    /// <summary>The most common reasons dumps did not complete, with counts.</summary>
    public IReadOnlyList<(string Detail, int Count)> Failures { get; init; } = [];

    /// <summary>Extra lines for the report.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public static PhaseResult FromMacs(string name, string description, TimeSpan wall, WrqStats wrqs, IReadOnlyList<MacResult> results, StormContext context) => new()
    {
        Name = name,
        Description = description,
        Wall = wall,
        Wrqs = wrqs,
        Outcomes = results.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count()),
        ByteIdentical = results.Count(context.StoredIdentically),
        Failures = [.. results.Where(r => r.Outcome != MacOutcome.Completed)
            .GroupBy(r => r.Detail ?? "?").Select(g => (g.Key, g.Count())).OrderByDescending(f => f.Item2).Take(4)],
    };
}
