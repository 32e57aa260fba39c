namespace KDumpCloud.Ingest.Alerts;

/// <summary>The services a sink can be.</summary>
public enum AlertSinkKind
{
    Slack,
    Teams,
    Discord,
    Json,
}

/// <summary>Parses <c>Alerts:Webhooks:N:Kind</c>.</summary>
public static class AlertSinkKinds
{
    public static bool TryParse(string? text, out AlertSinkKind kind) =>
        Enum.TryParse(text?.Trim(), ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(text, out _);
}
