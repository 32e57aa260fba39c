namespace KDumpCloud.Ingest.Alerts.Formats;

/// <summary>Turns an alert or a digest into the body one service accepts, within that service's limits: long fields
/// are cut, never a reason for the service to refuse the message.</summary>
public interface IAlertFormat
{
    AlertSinkKind Kind { get; }

    FormattedAlert Format(AlertNotice notice, Uri? link);

    FormattedAlert Format(AlertDigest digest, Uri? link);
}

/// <summary>A request body, UTF-8 JSON.</summary>
public sealed record FormattedAlert(byte[] Body)
{
    public const string ContentType = "application/json";
}

/// <summary>The format for each sink kind.</summary>
public static class AlertFormats
{
    public static IAlertFormat For(AlertSinkKind kind) => kind switch
    {
        AlertSinkKind.Slack => new SlackFormat(),
        AlertSinkKind.Teams => new TeamsFormat(),
        AlertSinkKind.Discord => new DiscordFormat(),
        AlertSinkKind.Json => new JsonAlertFormat(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
