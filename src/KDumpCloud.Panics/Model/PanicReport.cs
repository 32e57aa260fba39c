namespace KDumpCloud.Panics.Model;

/// <summary>
/// Everything the decoder found in one panic. Every field is optional because real logs are cut,
/// pasted and mangled; <see cref="Warnings"/> says what was missing or doubtful.
/// Addresses are as printed (slid) unless the name says otherwise.
/// </summary>
public sealed record PanicReport
{
    public required PanicContainer Container { get; init; }

    /// <summary>Body grammar detected: text-legacy, text-ppc, text-x86_64, text-arm64 or unknown.</summary>
    public required string Format { get; init; }

    public string? Architecture { get; init; }
    public string? PanicMessage { get; init; }
    public required PanicKind Kind { get; init; }
    public int? Cpu { get; init; }
    public ulong? CallerAddress { get; init; }
    public ulong? FaultAddress { get; init; }

    /// <summary>The component most likely responsible, with the reason it was chosen.</summary>
    public string? Culprit { get; init; }
    public string? CulpritReason { get; init; }

    public IReadOnlyList<BacktraceFrame> Frames { get; init; } = [];
    public IReadOnlyList<KextInBacktrace> Kexts { get; init; } = [];

    public string? KernelVersion { get; init; }
    public string? KernelUuid { get; init; }
    public string? OsBuild { get; init; }
    public string? Model { get; init; }
    public string? ProcessName { get; init; }
    public string? PanickedTask { get; init; }
    public string? PanickedThread { get; init; }
    public int? Pid { get; init; }
    public ulong? KernelSlide { get; init; }
    public ulong? KernelTextBase { get; init; }
    public ulong? KernelCacheSlide { get; init; }
    public ulong? KernelCacheBase { get; init; }
    public string? LastLoadedKext { get; init; }
    public string? LastStartedKext { get; init; }
    public ulong? UptimeNanoseconds { get; init; }
    public string? AnonymousUuid { get; init; }
    public string? BootArgs { get; init; }
    public string? PaniclogVersion { get; init; }

    /// <summary>Firmware that raised a coprocessor (RTKit) panic, build suffix included.</summary>
    public string? CoprocessorFirmware { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The text this report was decoded from (a log, a JSON panic file, or the panic text found in a core), so
    /// that a later version of the decoder can decode the same panic again (regrouping) without the dump.</summary>
    public string? SourceText { get; init; }
}
