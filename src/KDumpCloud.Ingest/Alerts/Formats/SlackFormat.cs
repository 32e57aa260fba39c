using System.Text.Json.Nodes;

namespace KDumpCloud.Ingest.Alerts.Formats;

/// <summary>
/// A Slack incoming-webhook message: <c>text</c> (the notification and fallback) and Block Kit <c>blocks</c>: a
/// header (plain text, at most 150 characters), a section with the summary and up to 10 fields (each at most 2,000),
/// the panic message in a section of its own (at most 3,000), and a context line with the link. Text is mrkdwn with
/// <c>&amp; &lt; &gt;</c> escaped, so a crash's text can never make a link or a mention.
/// </summary>
public sealed class SlackFormat : IAlertFormat
{
    public const int MaxHeaderChars = 150;
    public const int MaxSectionChars = 3000;
    public const int MaxFieldChars = 2000;
    public const int MaxFields = 10;
    public const int MaxBlocks = 50;

    public AlertSinkKind Kind => AlertSinkKind.Slack;

    public FormattedAlert Format(AlertNotice notice, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var title = AlertText.Title(notice);
        var fields = new JsonArray();
        foreach (var (name, value) in AlertText.Facts(notice).Take(MaxFields))
        {
            fields.Add(Mrkdwn(Fit($"*{name}*\n", Escape(value), MaxFieldChars)));
        }

        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = Plain(AlertText.Cut(title, MaxHeaderChars)!) },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = Mrkdwn(Fit("", Escape(AlertText.Summary(notice)), MaxSectionChars)),
                ["fields"] = fields,
            },
        };
        if (notice.PanicMessage is { Length: > 0 } panic)
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(CodeBlock(panic)) });
        }

        blocks.Add(Context(link, "Open crash group", $"dump {notice.FileName}"));
        return Build($"{title} ({AlertText.Summary(notice)})", blocks);
    }

    public FormattedAlert Format(AlertDigest digest, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var title = AlertText.DigestTitle(digest);
        var lines = string.Join('\n', digest.Listed.Select(g => "• " + Escape(AlertText.DigestLine(g))));
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = Plain(AlertText.Cut("KDumpCloud: " + title, MaxHeaderChars)!) },
            new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(Fit("", lines.Length == 0 ? "-" : lines, MaxSectionChars)) },
            Context(link, "Open dashboard", $"held back by the per-minute limit, {AlertText.Timestamp(digest.From)} – {AlertText.Timestamp(digest.To)}"),
        };
        return Build(title, blocks);
    }

    private static FormattedAlert Build(string text, JsonArray blocks) => new(FormatJson.Write(new JsonObject
    {
        ["text"] = AlertText.Cut(Escape(text), MaxSectionChars),
        ["blocks"] = blocks,
    }));

    private static JsonObject Context(Uri? link, string linkText, string note) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(Mrkdwn(Fit("", (link is null ? "" : $"<{link.AbsoluteUri}|{linkText}> · ") + Escape(note), MaxFieldChars))),
    };

    private static JsonObject Plain(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = false };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>The panic message as a code block, within a section's limit; a <c>```</c> inside it is broken up.</summary>
    private static string CodeBlock(string panic) =>
        "```" + AlertText.Cut(Escape(panic).Replace("```", "`\u200b`\u200b`", StringComparison.Ordinal), MaxSectionChars - 6) + "```";

    private static string Fit(string prefix, string text, int max) => prefix + AlertText.Cut(text, max - prefix.Length);

    /// <summary>Slack's three control characters in mrkdwn (its documented escaping).</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
