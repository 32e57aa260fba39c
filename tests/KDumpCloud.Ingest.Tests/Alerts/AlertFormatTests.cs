using System.Text.Json;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Formats;

namespace KDumpCloud.Ingest.Tests.Alerts;

/// <summary>Each service's payload, checked against that service's documented shape and limits, for ordinary alerts
/// and for hostile ones (huge panic text, long signatures, surrogate pairs at the cut, markup in crash text).</summary>
public sealed class AlertFormatTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private static readonly Uri Link = new("https://crashes.example.org/groups/abc");

    public static TheoryData<string> Cases => ["plain", "huge"];

    internal static AlertNotice Notice(string shape, AlertEvent alertEvent = AlertEvent.New)
    {
        var huge = shape == "huge";
        var emoji = string.Concat(Enumerable.Repeat("😀", 3000)); // surrogate pairs wherever a cut lands
        return SampleAlert.Create(At) with
        {
            Event = alertEvent,
            Fingerprint = "abc123",
            Signature = huge ? "<!channel> " + emoji : "page fault in com.example.driver",
            Kind = huge ? new string('k', 10_000) : "trap type 14=page fault",
            Culprit = huge ? "```" + new string('c', 5000) : "com.example.driver",
            PanicMessage = huge ? string.Concat(Enumerable.Repeat("panic ``` <@everyone> & line\n", 4000)) + emoji : "panic(cpu 0): page fault",
            Model = huge ? new string('m', 3000) : "Mac15,3",
            FileName = huge ? new string('f', 5000) : "paniclog-1",
            Count = 1234,
            Machines = 12,
            RegressionReason = alertEvent == AlertEvent.Regression ? "first seen on OS build 24B83" : null,
            SpikeCount = alertEvent == AlertEvent.Spike ? 10 : null,
            SpikeWindow = alertEvent == AlertEvent.Spike ? TimeSpan.FromHours(1) : null,
        };
    }

    private static AlertDigest Digest(string shape) => AlertDigest.Of(Guid.NewGuid(),
        [.. Enumerable.Range(0, 40).Select(i => Notice(shape) with { DumpId = Guid.NewGuid(), Fingerprint = "g" + (i % 12), CreatedAt = At.AddSeconds(i) })]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Slack_BlockKitWithinLimits(string shape)
    {
        foreach (var body in new[] { new SlackFormat().Format(Notice(shape), Link), new SlackFormat().Format(Digest(shape), Link) })
        {
            using var json = JsonDocument.Parse(body.Body);
            var root = json.RootElement;
            Assert.InRange(root.GetProperty("text").GetString()!.Length, 1, 3000);
            var blocks = root.GetProperty("blocks").EnumerateArray().ToList();
            Assert.InRange(blocks.Count, 1, SlackFormat.MaxBlocks);
            foreach (var block in blocks)
            {
                var type = block.GetProperty("type").GetString();
                Assert.Contains(type, new[] { "header", "section", "context" });
                if (type == "header")
                {
                    Assert.Equal("plain_text", block.GetProperty("text").GetProperty("type").GetString());
                    Assert.InRange(block.GetProperty("text").GetProperty("text").GetString()!.Length, 1, SlackFormat.MaxHeaderChars);
                }
                else if (type == "section")
                {
                    Assert.Equal("mrkdwn", block.GetProperty("text").GetProperty("type").GetString());
                    var text = block.GetProperty("text").GetProperty("text").GetString()!;
                    Assert.InRange(text.Length, 1, SlackFormat.MaxSectionChars);
                    Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("<@everyone>", text, StringComparison.Ordinal);
                    if (block.TryGetProperty("fields", out var fields))
                    {
                        Assert.InRange(fields.GetArrayLength(), 1, SlackFormat.MaxFields);
                        Assert.All(fields.EnumerateArray(), f => Assert.InRange(f.GetProperty("text").GetString()!.Length, 1, SlackFormat.MaxFieldChars));
                    }
                }
                else
                {
                    var elements = block.GetProperty("elements").EnumerateArray().ToList();
                    Assert.InRange(elements.Count, 1, 10);
                }
            }

            AssertNoBrokenSurrogates(body.Body);
        }
    }

    [Fact]
    public void Slack_PanicInCodeBlockAndLinkInContext()
    {
        var body = Encoding(new SlackFormat().Format(Notice("plain"), Link));
        Assert.Contains("```panic(cpu 0): page fault```", body, StringComparison.Ordinal);
        Assert.Contains($"<{Link.AbsoluteUri}|Open crash group>", body, StringComparison.Ordinal);
        Assert.Contains("New crash: page fault in com.example.driver", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Teams_AdaptiveCardInAttachmentsUnderTheSizeLimit(string shape)
    {
        foreach (var body in new[] { new TeamsFormat().Format(Notice(shape), Link), new TeamsFormat().Format(Digest(shape), Link) })
        {
            Assert.InRange(body.Body.Length, 1, TeamsFormat.MaxBodyBytes);
            using var json = JsonDocument.Parse(body.Body);
            Assert.Equal("message", json.RootElement.GetProperty("type").GetString());
            var attachment = Assert.Single(json.RootElement.GetProperty("attachments").EnumerateArray().ToList());
            Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
            var card = attachment.GetProperty("content");
            Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
            Assert.Equal("1.4", card.GetProperty("version").GetString());
            foreach (var element in card.GetProperty("body").EnumerateArray())
            {
                var type = element.GetProperty("type").GetString();
                Assert.Contains(type, new[] { "TextBlock", "FactSet" });
                if (type == "TextBlock")
                {
                    Assert.False(string.IsNullOrEmpty(element.GetProperty("text").GetString()));
                }
                else
                {
                    Assert.All(element.GetProperty("facts").EnumerateArray(), f =>
                    {
                        Assert.False(string.IsNullOrEmpty(f.GetProperty("title").GetString()));
                        Assert.NotNull(f.GetProperty("value").GetString());
                    });
                }
            }

            var action = Assert.Single(card.GetProperty("actions").EnumerateArray().ToList());
            Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString());
            Assert.Equal(Link.AbsoluteUri, action.GetProperty("url").GetString());
            AssertNoBrokenSurrogates(body.Body);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Discord_EmbedWithinEveryLimit(string shape)
    {
        foreach (var body in new[] { new DiscordFormat().Format(Notice(shape), Link), new DiscordFormat().Format(Digest(shape), Link) })
        {
            using var json = JsonDocument.Parse(body.Body);
            var root = json.RootElement;
            Assert.InRange(root.GetProperty("content").GetString()!.Length, 1, DiscordFormat.MaxContentChars);
            Assert.Equal(0, root.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
            var embeds = root.GetProperty("embeds").EnumerateArray().ToList();
            Assert.InRange(embeds.Count, 1, 10);
            var total = 0;
            foreach (var embed in embeds)
            {
                var title = embed.GetProperty("title").GetString()!;
                var description = embed.GetProperty("description").GetString()!;
                Assert.InRange(title.Length, 1, DiscordFormat.MaxTitleChars);
                Assert.InRange(description.Length, 1, DiscordFormat.MaxDescriptionChars);
                total += title.Length + description.Length;
                if (embed.TryGetProperty("fields", out var fields))
                {
                    Assert.InRange(fields.GetArrayLength(), 0, 25);
                    foreach (var field in fields.EnumerateArray())
                    {
                        var name = field.GetProperty("name").GetString()!;
                        var value = field.GetProperty("value").GetString()!;
                        Assert.InRange(name.Length, 1, DiscordFormat.MaxFieldNameChars);
                        Assert.InRange(value.Length, 1, DiscordFormat.MaxFieldValueChars);
                        total += name.Length + value.Length;
                    }
                }

                var footer = embed.GetProperty("footer").GetProperty("text").GetString()!;
                Assert.InRange(footer.Length, 1, DiscordFormat.MaxFooterChars);
                total += footer.Length;
                Assert.Equal(Link.AbsoluteUri, embed.GetProperty("url").GetString());
            }

            Assert.InRange(total, 1, DiscordFormat.MaxEmbedTotalChars);
            AssertNoBrokenSurrogates(body.Body);
        }
    }

    [Theory]
    [InlineData(AlertEvent.New)]
    [InlineData(AlertEvent.Regression)]
    [InlineData(AlertEvent.Spike)]
    public void Json_VersionedSchemaWithTheRequiredFields(AlertEvent alertEvent)
    {
        var notice = Notice("plain", alertEvent);
        using var json = JsonDocument.Parse(new JsonAlertFormat().Format(notice, Link).Body);
        var root = json.RootElement;
        Assert.Equal(JsonAlertFormat.SchemaVersion, root.GetProperty("version").GetInt32());
        Assert.Equal(AlertEvents.Name(alertEvent), root.GetProperty("event").GetString());
        Assert.Equal("abc123", root.GetProperty("fingerprint").GetString());
        Assert.Equal(notice.Signature, root.GetProperty("signature").GetString());
        Assert.Equal(1234, root.GetProperty("count").GetInt64());
        Assert.Equal(12, root.GetProperty("machines").GetInt32());
        Assert.Equal(notice.DumpId.ToString("D"), root.GetProperty("dumpId").GetString());
        Assert.Equal($"{notice.DumpId:D}.{AlertEvents.Name(alertEvent)}", root.GetProperty("id").GetString());
        Assert.Equal(Link.AbsoluteUri, root.GetProperty("link").GetString());
        if (alertEvent == AlertEvent.Regression)
        {
            Assert.Equal("first seen on OS build 24B83", root.GetProperty("regressionReason").GetString());
        }

        if (alertEvent == AlertEvent.Spike)
        {
            Assert.Equal(10, root.GetProperty("spikeCount").GetInt32());
            Assert.Equal(3600, root.GetProperty("spikeWindowSeconds").GetDouble());
        }
    }

    [Fact]
    public void Json_DigestCountsEveryAlertHeldBack()
    {
        var digest = Digest("plain");
        using var json = JsonDocument.Parse(new JsonAlertFormat().Format(digest, null).Body);
        var root = json.RootElement;
        Assert.Equal("digest", root.GetProperty("event").GetString());
        Assert.Equal(40, root.GetProperty("count").GetInt32());
        Assert.Equal(12, root.GetProperty("groups").GetInt32());
        Assert.Equal("and 40 more crashes in 12 groups", root.GetProperty("signature").GetString());
        var items = root.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(AlertDigest.MaxListedGroups, items.Count);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("dumpId").ValueKind);
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePairAndDropsControlCharacters()
    {
        var text = "a\u0007b" + string.Concat(Enumerable.Repeat("😀", 10));
        for (var max = 1; max < 25; max++)
        {
            var cut = AlertText.Cut(text, max)!;
            Assert.InRange(cut.Length, 1, max);
            Assert.DoesNotContain('\u0007', cut);
            for (var i = 0; i < cut.Length; i++)
            {
                Assert.False(char.IsHighSurrogate(cut[i]) && (i + 1 == cut.Length || !char.IsLowSurrogate(cut[i + 1])), $"max {max}: '{cut}'");
            }
        }
    }

    private static string Encoding(FormattedAlert body) => System.Text.Encoding.UTF8.GetString(body.Body);

    /// <summary>A lone surrogate would be written as \uD83D by the serializer: the cut split a pair.</summary>
    private static void AssertNoBrokenSurrogates(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var text = json.RootElement.ToString();
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                Assert.True(i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]), "a lone high surrogate");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(text[i]), "a lone low surrogate");
            }
        }
    }
}
