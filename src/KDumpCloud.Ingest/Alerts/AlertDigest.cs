namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// The alerts a sink's per-minute limit held back, in one message ("and 37 more crashes in 12 groups"): how many,
/// in how many groups, and the groups with the most of them.
/// </summary>
public sealed record AlertDigest
{
    /// <summary>Most groups a digest lists by name; the rest are only counted.</summary>
    public const int MaxListedGroups = 10;

    /// <summary>Identifies this digest (the JSON webhook's delivery id).</summary>
    public required Guid Id { get; init; }

    /// <summary>Alerts summed up.</summary>
    public required int Alerts { get; init; }

    /// <summary>Distinct groups among them.</summary>
    public required int Groups { get; init; }

    /// <summary>The groups with the most alerts held back, at most <see cref="MaxListedGroups"/>.</summary>
    public required IReadOnlyList<DigestGroup> Listed { get; init; }

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    /// <summary>Sums up <paramref name="notices"/>.</summary>
    public static AlertDigest Of(Guid id, IReadOnlyCollection<AlertNotice> notices)
    {
        ArgumentNullException.ThrowIfNull(notices);
        if (notices.Count == 0)
        {
            throw new ArgumentException("a digest sums up at least one alert", nameof(notices));
        }

        var groups = notices.GroupBy(n => n.Fingerprint, StringComparer.Ordinal)
            .Select(g =>
            {
                var latest = g.MaxBy(n => n.Count)!;
                return new DigestGroup(latest.Fingerprint, latest.Signature, g.Min(n => n.Event), g.Count(), latest.Count);
            })
            .OrderByDescending(g => g.Alerts).ThenByDescending(g => g.Count).ThenBy(g => g.Fingerprint, StringComparer.Ordinal)
            .ToList();
        return new AlertDigest
        {
            Id = id,
            Alerts = notices.Count,
            Groups = groups.Count,
            Listed = groups.Take(MaxListedGroups).ToList(),
            From = notices.Min(n => n.CreatedAt),
            To = notices.Max(n => n.CreatedAt),
        };
    }
}

/// <summary>One group in a digest: its first (most important) event held back, how many alerts, and its count.</summary>
public sealed record DigestGroup(string Fingerprint, string Signature, AlertEvent Event, int Alerts, long Count);
