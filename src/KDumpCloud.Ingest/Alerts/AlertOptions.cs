using System.ComponentModel.DataAnnotations;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// Chat alerts, bound from the <c>Alerts</c> section by every host (relay, Function, CLI). With no
/// <see cref="Webhooks"/> nothing is recorded for alerts and nothing is sent.
/// </summary>
public sealed class AlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>The sinks: <c>Alerts:Webhooks:0:Kind</c>, <c>Alerts:Webhooks:0:Url</c>, … (see <see cref="WebhookOptions"/>).</summary>
    /// <value>None.</value>
    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>Occurrences of one group within <see cref="SpikeWindow"/> that send one <c>spike</c> alert; 0 turns
    /// spike alerts off.</summary>
    /// <value>10.</value>
    [Range(0, 1_000_000)]
    public int SpikeCount { get; set; } = 10;

    /// <summary>The window <see cref="SpikeCount"/> is counted in (by the time the relay received each dump).</summary>
    /// <value>1 hour.</value>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SpikeWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>At most one alert per group and sink within this interval; later ones for the group are dropped (the
    /// next alert carries the count).</summary>
    /// <value>10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages per sink in any minute, the digest included: past <c>MaxPerMinute - 1</c> alerts, the rest
    /// are summed up in one digest ("and 37 more crashes in 12 groups").</summary>
    /// <value>10.</value>
    [Range(2, 600)]
    public int MaxPerMinute { get; set; } = 10;

    /// <summary>Oldest alert still sent to a sink that was down; older ones are reported in the log and dropped.</summary>
    /// <value>24 hours.</value>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest panic message an alert carries (each service cuts it further to its own limits).</summary>
    /// <value>1,000 characters.</value>
    [Range(80, 3000)]
    public int MaxPanicMessageChars { get; set; } = 1000;

    /// <summary>The link each alert carries when <c>Dashboard:PublicUrl</c> is not set: <c>{fingerprint}</c>,
    /// <c>{dumpId}</c> and <c>{fileName}</c> are replaced (escaped), e.g.
    /// <c>https://crashes.example.org/groups/{fingerprint}</c>. With <c>Dashboard:PublicUrl</c> set the link is
    /// <c>{PublicUrl}/groups/{fingerprint}</c>.</summary>
    /// <value>None: no link.</value>
    public string? LinkTemplate { get; set; }

    /// <summary>The dashboard's public address (bound from <c>Dashboard:PublicUrl</c>, not from this section).</summary>
    /// <value>None.</value>
    public string? DashboardUrl { get; set; }

    /// <summary>Longest one HTTP attempt may take.</summary>
    /// <value>10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest one message may take, its retries included; past it the message is tried again at a later
    /// pass.</summary>
    /// <value>30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries within one send (429, 408, 5xx, timeouts, refused connections).</summary>
    /// <value>3.</value>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First wait between retries; doubles, with jitter.</summary>
    /// <value>1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest <c>Retry-After</c> (header, or Discord's <c>retry_after</c>) waited for within one send; a
    /// longer one puts the message off until then (at most an hour).</summary>
    /// <value>10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a sink's circuit stays open after repeated failures; its alerts wait meanwhile.</summary>
    /// <value>30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a host looks for alerts to retry when nothing new was recorded (the relay; the Function's
    /// timer runs every 10 seconds).</summary>
    /// <value>5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>One sink: <c>Alerts:Webhooks:N:…</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary><c>slack</c> (incoming webhook, Block Kit), <c>teams</c> (Workflows webhook, Adaptive Card),
    /// <c>discord</c> (webhook, embeds) or <c>json</c> (the versioned KDumpCloud schema, optionally signed).</summary>
    /// <value>None; required.</value>
    public string? Kind { get; set; }

    /// <summary>The webhook's URL: a secret (from Key Vault or a file, never logged whole).</summary>
    /// <value>None; required, http or https.</value>
    public string? Url { get; set; }

    /// <summary>For <c>json</c>: the HMAC-SHA256 key of the <c>X-KDumpCloud-Signature</c> header.</summary>
    /// <value>None: unsigned.</value>
    public string? Secret { get; set; }

    /// <summary>The events this sink gets, comma-separated (<c>new,regression,spike,digest</c>); e.g. <c>new</c>
    /// for only new groups.</summary>
    /// <value>All of them.</value>
    public string? Events { get; set; }

    /// <summary>A name for logs and <c>alerts test</c>.</summary>
    /// <value>The kind and the URL's host.</value>
    public string? Name { get; set; }
}
