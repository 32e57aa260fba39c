using System.ComponentModel.DataAnnotations;
using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Ingest;

/// <summary>
/// The relay's in-process ingest, on when <c>KDumpStorage</c> is not set (the embedded default): every finished dump
/// in the spool is decoded, fingerprinted and recorded in <c>crashes.db</c> in <c>Relay:DataDirectory</c>. Bound from
/// the <c>EmbeddedIngest</c> section; how a dump is read and decoded is the core's <c>Ingest</c> section.
/// </summary>
public sealed class EmbeddedIngestOptions
{
    public const string SectionName = "EmbeddedIngest";

    /// <summary>Whether the relay ingests its dumps itself when no Azure storage is configured. Off, it only spools
    /// (as Apple's kdumpd does); dumps left unprocessed are taken up when it is turned on again.</summary>
    /// <value>true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Dumps decoded and recorded at once. Ingest runs beside the transfers and never on their path; a
    /// small number keeps it from taking the CPU transfers need.</summary>
    /// <value>2.</value>
    [Range(1, 16)]
    public int MaxConcurrentDumps { get; set; } = 2;

    /// <summary>Attempts per dump before it is recorded as failed (in the <c>ingest-failed</c> group, with the
    /// reason). A dump whose file is gone is recorded as failed at once.</summary>
    /// <value>4.</value>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Wait after a failed attempt; doubles with each further failure.</summary>
    /// <value>2 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the embedded ingest runs with <paramref name="configuration"/>: not when <c>KDumpStorage</c>
    /// is set (the Function or <c>kdumpcloud ingest</c> processes the uploaded dumps then), nor when switched off.</summary>
    public static bool IsActive(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !KDumpStorageOptions.IsConfigured(configuration)
            && configuration.GetSection(SectionName).GetValue(nameof(Enabled), true);
    }
}

/// <summary>The DataAnnotations checks, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class EmbeddedIngestOptionsValidator : IValidateOptions<EmbeddedIngestOptions>;

/// <summary>The core's <c>Ingest</c> section, checked the same way when the relay hosts the core.</summary>
[OptionsValidator]
internal sealed partial class CoreIngestOptionsValidator : IValidateOptions<KDumpCloud.Ingest.Processing.IngestOptions>;
