namespace KDumpCloud.Panics.Model;

/// <summary>One backtrace line. <see cref="UnslidAddress"/> is the return address minus the slide when
/// the log states it; <see cref="Kext"/> and <see cref="KextOffset"/> are set when a kext range covers it.</summary>
public sealed record BacktraceFrame(ulong ReturnAddress)
{
    public ulong? FramePointer { get; init; }
    public ulong? UnslidAddress { get; init; }
    public string? Image { get; init; }
    public string? Symbol { get; init; }
    public string? Kext { get; init; }
    public ulong? KextOffset { get; init; }
}
