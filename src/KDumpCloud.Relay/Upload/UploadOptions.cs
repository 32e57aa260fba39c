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

    /// <summary>The relay's name in blob metadata and ingest messages.</summary>
    /// <value>This machine's host name.</value>
    [Required]
    public string RelayHost { get; set; } = Environment.MachineName;
}
