namespace KDumpCloud.Ingest.Alerts;

/// <summary>Which events one sink gets (<c>Alerts:Webhooks:N:Events</c>).</summary>
public sealed record AlertSinkFilter(IReadOnlySet<AlertEvent> Events)
{
    public static AlertSinkFilter All { get; } = new(Enum.GetValues<AlertEvent>().ToHashSet());

    public bool Accepts(AlertEvent alertEvent) => Events.Contains(alertEvent);

    /// <summary>Parses a comma-separated list of event names; an empty list is refused.</summary>
    public static bool TryParse(string? text, out AlertSinkFilter filter)
    {
        filter = All;
        if (text is null)
        {
            return true;
        }

        var events = new HashSet<AlertEvent>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!AlertEvents.TryParse(part, out var parsed))
            {
                return false;
            }

            events.Add(parsed);
        }

        if (events.Count == 0)
        {
            return false;
        }

        filter = new AlertSinkFilter(events);
        return true;
    }
}
