using System.ComponentModel.DataAnnotations;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting.Rules;

namespace KDumpCloud.Ingest.Processing;

/// <summary>How the core reads and decodes a dump; bound from the <c>Ingest</c> section by every host.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Most bytes of a panic log read as text.</summary>
    /// <value>2 MiB.</value>
    [Range(4096, 256 << 20)]
    public int MaxTextBytes { get; set; } = PanicFileDecoder.MaxTextBytes;

    /// <summary>Most bytes of a core scanned for its panic.</summary>
    /// <value>16 GiB.</value>
    [Range(1L << 20, 1L << 40)]
    public long MaxCoreBytes { get; set; } = 16L << 30;

    /// <summary>Longest one decode may take; past it, what was found so far is recorded with a warning.</summary>
    /// <value>60 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxDecodeDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Read the rest of a dump after its panic was found, to check its size and SHA-256 against what the
    /// relay sent. Off, a core is read only as far as its panic.</summary>
    /// <value>true.</value>
    public bool VerifyContent { get; set; } = true;

    /// <summary>Longest panic message kept with an occurrence.</summary>
    /// <value>2,000 characters.</value>
    [Range(80, 100_000)]
    public int MaxPanicMessageLength { get; set; } = 2000;

    /// <summary>Most warnings kept with an occurrence.</summary>
    /// <value>20.</value>
    [Range(1, 1000)]
    public int MaxWarnings { get; set; } = 20;

    /// <summary>A lab's grouping rules file (format in src/KDumpCloud.Panics/README.md, "Lab grouping rules"): rules that
    /// force a group key or add to the default one, without a release. Read at start; a malformed file stops the host
    /// with the line at fault. Changing it changes fingerprints: run <c>kdumpcloud crashes regroup</c> after.</summary>
    /// <value>None: the default fingerprint.</value>
    public string? GroupingRulesFile { get; set; }

    /// <summary>The rules <see cref="GroupingRulesFile"/> holds, or none.</summary>
    /// <exception cref="GroupingRulesException">The file is malformed or too large.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    internal GroupingRules LoadGroupingRules() =>
        string.IsNullOrWhiteSpace(GroupingRulesFile) ? GroupingRules.Empty : GroupingRules.Load(GroupingRulesFile);

    internal PanicDecoderOptions DecoderOptions(TimeProvider time) => new()
    {
        MaxTextBytes = MaxTextBytes,
        MaxCoreBytes = MaxCoreBytes,
        MaxDuration = MaxDecodeDuration,
        TimeProvider = time,
    };
}
