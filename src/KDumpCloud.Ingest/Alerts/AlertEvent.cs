namespace KDumpCloud.Ingest.Alerts;

/// <summary>Why an alert is sent. The JSON webhook's <c>event</c> field is <see cref="AlertEvents.Name"/>.</summary>
public enum AlertEvent
{
    /// <summary>The first occurrence of a crash (<c>new</c>).</summary>
    New,

    /// <summary>A resolved group seen again, or a group seen on an OS build it had not been seen on (<c>regression</c>).</summary>
    Regression,

    /// <summary>A group seen <see cref="AlertOptions.SpikeCount"/> times within <see cref="AlertOptions.SpikeWindow"/>
    /// (<c>spike</c>).</summary>
    Spike,

    /// <summary>The alerts a sink's per-minute limit held back, summed up in one message (<c>digest</c>).</summary>
    Digest,
}

/// <summary>The wire names of <see cref="AlertEvent"/>, as configuration and the JSON webhook spell them.</summary>
public static class AlertEvents
{
    public static string Name(AlertEvent value) => value switch
    {
        AlertEvent.New => "new",
        AlertEvent.Regression => "regression",
        AlertEvent.Spike => "spike",
        AlertEvent.Digest => "digest",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>Parses a wire name, case-insensitively.</summary>
    public static bool TryParse(string? text, out AlertEvent value)
    {
        foreach (var candidate in Enum.GetValues<AlertEvent>())
        {
            if (string.Equals(text?.Trim(), Name(candidate), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
