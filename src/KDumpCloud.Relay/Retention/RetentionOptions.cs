using System.ComponentModel.DataAnnotations;

namespace KDumpCloud.Relay.Retention;

/// <summary>How long and how many bytes of uploaded dumps stay in the spool, bound from the <c>Retention</c>
/// configuration section. Read only when uploading is on (<c>KDumpStorage</c> set): without it nothing is ever
/// deleted, since later stages will work on the spool's files locally.</summary>
/// <remarks>Only a dump whose ingest message has been sent may be removed; the others wait for their upload whatever
/// these say. Oldest first means by the time the dump arrived (the end of its transfer), ties by dump id.</remarks>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>How long an uploaded dump stays after its ingest message was sent. Counted from the upload, not the
    /// arrival, so a backlog uploaded after a long outage still gets the whole window. 0 removes dumps as soon as
    /// their message is sent.</summary>
    /// <value>7 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan UploadedMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most bytes uploaded dumps may take together; past it the oldest are removed.</summary>
    /// <value>64 GiB: one largest dump (<c>Relay:MaxDumpBytes</c>'s default), and an eighth of the default
    /// <c>Relay:SpoolQuotaBytes</c>, so recent dumps stay at hand and the rest of the spool is left for dumps still
    /// waiting to be uploaded.</value>
    [Range(0L, long.MaxValue)]
    public long UploadedMaxBytes { get; set; } = 64L << 30;

    /// <summary>The room kept free for arriving dumps: when the spool has less than this left under
    /// <c>Relay:SpoolQuotaBytes</c>, or the disk less than this above <c>Relay:MinFreeDiskBytes</c>, uploaded dumps are
    /// removed, oldest first, until it is there again (or none is left). A refused request is lost (the Mac gives up
    /// after its quick retransmissions), so the room is kept before it is needed.</summary>
    /// <value>Room for one largest dump, but at most a quarter of the spool: the smaller of <c>Relay:MaxDumpBytes</c>
    /// and <c>Relay:SpoolQuotaBytes</c> / 4 (64 GiB with the defaults).</value>
    [Range(0L, long.MaxValue)]
    public long? HeadroomBytes { get; set; }

    /// <summary>How often the policy runs when nothing prompts it. It also runs at start, at once when a request or
    /// a write is refused for space, and when a dump's upload is recorded.</summary>
    /// <value>30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The headroom in force: <see cref="HeadroomBytes"/>, or the default rule.</summary>
    public long HeadroomFor(Options.RelayOptions relay) =>
        HeadroomBytes ?? Math.Min(relay.MaxDumpBytes, relay.SpoolQuotaBytes / 4);
}
