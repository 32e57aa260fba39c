using System.ComponentModel.DataAnnotations;

namespace KDumpCloud.Relay.Upload;

/// <summary>How dumps are uploaded, bound from the <c>Upload</c> configuration section. Read only when
/// <c>KDumpStorage</c> is configured; without it the relay does not upload.</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Upload";

    /// <summary>Azure's limit on the blocks of one block blob.</summary>
    public const int MaxBlocksPerBlob = 50_000;

    /// <summary>The blob container dumps are committed to; created at the first upload when it is missing.</summary>
    /// <value><c>dumps</c>.</value>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Upload:Container must be a blob container name: 3 to 63 lower-case letters, digits and single hyphens.")]
    public string Container { get; set; } = "dumps";

    /// <summary>The storage queue that gets one ingest message per committed dump; created at the first upload when
    /// it is missing.</summary>
    /// <value><c>dump-ingest</c>.</value>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Upload:Queue must be a queue name: 3 to 63 lower-case letters, digits and single hyphens.")]
    public string Queue { get; set; } = "dump-ingest";

    /// <summary>Bytes per staged block. A full block is staged as soon as the transfer has written it, so by the
    /// Mac's EOF only the last block and the commit remain. <c>Relay:MaxDumpBytes</c> divided by this may be at most
    /// 50,000 (Azure's block limit).</summary>
    /// <value>4 MiB.</value>
    [Range(1024, 4000L << 20)]
    public int BlockSizeBytes { get; set; } = 4 << 20;

    /// <summary>Blocks staged at once, over all dumps together; each holds one block in memory while it is sent.</summary>
    /// <value>8.</value>
    [Range(1, 256)]
    public int MaxParallelBlocks { get; set; } = 8;

    /// <summary>The wait before the first retry of a dump whose upload failed (the storage SDK has already retried
    /// each call); it doubles with each failure up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between attempts to upload a dump.</summary>
    /// <value>5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest one storage operation (stage a block, commit, read properties, send the message, create the
    /// container or queue) may take in all, the storage SDK's own retries included; past it the call fails and counts
    /// against the circuit breaker. A backstop for an account that swallows requests: the SDK gives each attempt up
    /// to its network timeout (100 s by default) and makes up to four, about 7 minutes. Two minutes is longer than one
    /// attempt, so a slow block that is still moving is never cut short here first (at 8 blocks of 4 MiB in parallel,
    /// one attempt fits 100 s down to about 2.7 Mbit/s of uplink), plus the SDK's quick retries of fast failures.
    /// On a slower uplink raise <c>Upload:Client:Retry:NetworkTimeout</c> and this, or lower
    /// <see cref="MaxParallelBlocks"/>.
    /// </summary>
    /// <value>2 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The share of storage operations, within <see cref="BreakerSamplingDuration"/>, that must fail for
    /// lack of an answer (no connection, a timeout, 408, 429 or 5xx) before the circuit opens. Other refusals (a 400
    /// for a damaged block, a 403) are the dump's problem, not the account's, and do not count.</summary>
    /// <value>0.5.</value>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest operations within <see cref="BreakerSamplingDuration"/> before the ratio is judged. Low,
    /// because a relay makes few calls (a few per second at most), and an open circuit costs only a wait.</summary>
    /// <value>3.</value>
    [Range(2, 100_000)]
    public int BreakerMinimumThroughput { get; set; } = 3;

    /// <summary>The window over which the failure ratio is measured.</summary>
    /// <value>60 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the circuit stays open before one operation is let through as a probe (half-open): it
    /// closes when the probe succeeds, and opens for this long again when it fails. Meanwhile every dump waits; the
    /// relay keeps receiving into the spool. This is also the longest an upload may wait after the account is back.</summary>
    /// <value>30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often, at most, the backlog (dumps and bytes not yet uploaded and announced) is logged while it is
    /// not empty; it is logged once more when it drains.</summary>
    /// <value>60 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan BacklogLogInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The relay's name in blob metadata and ingest messages.</summary>
    /// <value>This machine's host name.</value>
    [Required]
    public string RelayHost { get; set; } = Environment.MachineName;
}
