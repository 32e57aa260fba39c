using System.Text.Json.Nodes;

namespace KDumpCloud.Ingest.Alerts.Formats;

/// <summary>
/// A Discord webhook message: a short <c>content</c> and one embed (title at most 256, description at most 4,096,
/// at most 25 fields of 256/1,024, footer at most 2,048, and all embed text together at most 6,000 characters, which
/// the panic message gives way to). <c>allowed_mentions</c> is empty, so a crash's text can never ping anyone.
/// </summary>
public sealed class DiscordFormat : IAlertFormat
{
    public const int MaxContentChars = 2000;
    public const int MaxTitleChars = 256;
    public const int MaxDescriptionChars = 4096;
    public const int MaxFieldNameChars = 256;
    public const int MaxFieldValueChars = 1024;
    public const int MaxFooterChars = 2048;
    public const int MaxEmbedTotalChars = 6000;

    private const int NewColor = 0xD93F0B;
    private const int RegressionColor = 0xB60205;
    private const int SpikeColor = 0xFBCA04;
    private const int DigestColor = 0x5319E7;

    public AlertSinkKind Kind => AlertSinkKind.Discord;

    public FormattedAlert Format(AlertNotice notice, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var title = AlertText.Cut(AlertText.Title(notice), MaxTitleChars)!;
        var fields = AlertText.Facts(notice)
            .Select(f => (Name: AlertText.Cut(f.Name, MaxFieldNameChars)!, Value: AlertText.Cut(f.Value, MaxFieldValueChars)!))
            .ToList();
        var footer = AlertText.Cut($"KDumpCloud · {notice.FileName}", MaxFooterChars)!;
        var summary = AlertText.Summary(notice);
        var used = title.Length + footer.Length + fields.Sum(f => f.Name.Length + f.Value.Length);
        var room = Math.Min(MaxDescriptionChars, MaxEmbedTotalChars - used);
        var description = notice.PanicMessage is { Length: > 0 } panic
            ? summary + "\n```\n" + AlertText.Cut(panic.Replace("```", "`\u200b`\u200b`", StringComparison.Ordinal), Math.Max(1, room - summary.Length - 10)) + "\n```"
            : summary;
        description = AlertText.Cut(description, Math.Max(1, room))!;

        var embed = new JsonObject
        {
            ["title"] = title,
            ["description"] = description,
            ["color"] = notice.Event switch { AlertEvent.New => NewColor, AlertEvent.Regression => RegressionColor, _ => SpikeColor },
            ["fields"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["value"] = f.Value, ["inline"] = true })]),
            ["footer"] = new JsonObject { ["text"] = footer },
            ["timestamp"] = notice.ReceivedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (link is not null)
        {
            embed["url"] = link.AbsoluteUri;
        }

        return Build(AlertText.Cut(title, MaxContentChars)!, embed);
    }

    public FormattedAlert Format(AlertDigest digest, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var title = AlertText.Cut("KDumpCloud: " + AlertText.DigestTitle(digest), MaxTitleChars)!;
        var lines = string.Join('\n', digest.Listed.Select(g => "• " + AlertText.DigestLine(g)));
        var embed = new JsonObject
        {
            ["title"] = title,
            ["description"] = AlertText.Cut(lines.Length == 0 ? "-" : lines, Math.Min(MaxDescriptionChars, MaxEmbedTotalChars - title.Length - 100)),
            ["color"] = DigestColor,
            ["footer"] = new JsonObject { ["text"] = "held back by the per-minute limit" },
        };
        if (link is not null)
        {
            embed["url"] = link.AbsoluteUri;
        }

        return Build(AlertText.Cut(title, MaxContentChars)!, embed);
    }

    private static FormattedAlert Build(string content, JsonObject embed) => new(FormatJson.Write(new JsonObject
    {
        ["content"] = content,
        ["embeds"] = new JsonArray(embed),
        ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
    }));
}
