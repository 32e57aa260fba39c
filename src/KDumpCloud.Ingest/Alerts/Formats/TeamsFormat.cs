using System.Text.Json.Nodes;

namespace KDumpCloud.Ingest.Alerts.Formats;

/// <summary>
/// A Microsoft Teams Workflows-webhook message: <c>{"type":"message","attachments":[{"contentType":
/// "application/vnd.microsoft.card.adaptive","content":card}]}</c> with an Adaptive Card 1.4 (title, summary, a
/// FactSet, the panic message in monospace, an Action.OpenUrl for the link). Workflows may answer 202 and still drop
/// a card that is too big, so the body is kept under <see cref="MaxBodyBytes"/> here, cutting the panic message
/// further if it has to.
/// </summary>
public sealed class TeamsFormat : IAlertFormat
{
    /// <summary>Teams takes about 28 KB per message and some clients cap near 21 KB; this stays below both.</summary>
    public const int MaxBodyBytes = 20_000;

    public const string CardContentType = "application/vnd.microsoft.card.adaptive";

    private const int MaxFactChars = 500;
    private const int MaxTitleChars = 300;

    public AlertSinkKind Kind => AlertSinkKind.Teams;

    public FormattedAlert Format(AlertNotice notice, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var panic = notice.PanicMessage;
        while (true)
        {
            var facts = new JsonArray();
            foreach (var (name, value) in AlertText.Facts(notice))
            {
                facts.Add(new JsonObject { ["title"] = name, ["value"] = AlertText.Cut(value, MaxFactChars) });
            }

            var body = new JsonArray
            {
                Text(AlertText.Cut(AlertText.Title(notice), MaxTitleChars)!, bolder: true),
                Text(AlertText.Cut(AlertText.Summary(notice), MaxFactChars)!),
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
            };
            if (panic is { Length: > 0 })
            {
                var block = Text(panic);
                block["fontType"] = "Monospace";
                block["size"] = "Small";
                body.Add(block);
            }

            var bytes = Build(body, link, "Open crash group");
            if (bytes.Length <= MaxBodyBytes || panic is not { Length: > 80 })
            {
                return new FormattedAlert(bytes);
            }

            panic = AlertText.Cut(panic, panic.Length * 3 / 4);
        }
    }

    public FormattedAlert Format(AlertDigest digest, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(digest);
        // Ten listed lines of MaxFactChars fit easily; lines are shortened further should a body still not fit.
        for (var lineChars = MaxFactChars; ; lineChars /= 2)
        {
            var body = new JsonArray
            {
                Text(AlertText.Cut("KDumpCloud: " + AlertText.DigestTitle(digest), MaxTitleChars)!, bolder: true),
                Text($"Held back by the per-minute limit, {AlertText.Timestamp(digest.From)} – {AlertText.Timestamp(digest.To)}"),
            };
            foreach (var group in digest.Listed)
            {
                body.Add(Text(AlertText.Cut("• " + AlertText.DigestLine(group), lineChars)!));
            }

            var bytes = Build(body, link, "Open dashboard");
            if (bytes.Length <= MaxBodyBytes || lineChars < 40)
            {
                return new FormattedAlert(bytes);
            }
        }
    }

    private static byte[] Build(JsonArray body, Uri? link, string linkTitle)
    {
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (link is not null)
        {
            card["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = linkTitle, ["url"] = link.AbsoluteUri });
        }

        return FormatJson.Write(new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = CardContentType, ["contentUrl"] = null, ["content"] = card }),
        });
    }

    private static JsonObject Text(string text, bool bolder = false)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (bolder)
        {
            block["weight"] = "Bolder";
            block["size"] = "Medium";
        }

        return block;
    }
}
