namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// How much one decode may read and how long it may take (issue 6 item 11). Input is untrusted: a 52 MB file of gzip
/// members can inflate to 50 GB, and a stream can stall. Reaching a bound ends the decode early with what was found
/// and a warning in <see cref="Model.PanicReport.Warnings"/>, never an exception.
/// </summary>
public sealed record PanicDecoderOptions
{
    /// <summary>The defaults below.</summary>
    public static PanicDecoderOptions Default { get; } = new();

    /// <summary>A panic log or JSON panic file is read only this far.</summary>
    /// <value>2 MiB (<see cref="PanicFileDecoder.MaxTextBytes"/>): logs are kilobytes, <c>.ips</c> files with a stackshot a few megabytes.</value>
    public int MaxTextBytes { get; init; } = PanicFileDecoder.MaxTextBytes;

    /// <summary>At most this many bytes of a core, after decompression, are scanned for the panic text.</summary>
    /// <value>16 GiB: a kernel core holds kernel memory only, a fraction of the Mac's RAM; about 30 s of real cores on one core of the build VM.</value>
    public long MaxCoreBytes { get; init; } = 16L << 30;

    /// <summary>Wall-clock time one decode may take, reading included.</summary>
    /// <value>60 s. Checked before every read and every 256 KiB of a core; an asynchronous read that stalls is cancelled at the deadline.</value>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock <see cref="MaxDuration"/> is measured with.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws for values no decode can honour; the options are the caller's, not the input's.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTextBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxCoreBytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDuration, TimeSpan.FromDays(1));
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
