namespace KDumpCloud.Panics.Model;

/// <summary>What sort of panic this is, with the details that identify its template.</summary>
public sealed record PanicKind(PanicCategory Category)
{
    public int? TrapType { get; init; }
    public string? TrapName { get; init; }
    public string? SourceFile { get; init; }
    public int? SourceLine { get; init; }

    /// <summary>Watchdog service, suspected bundle or coprocessor name, depending on the category.</summary>
    public string? Subject { get; init; }

    public static PanicKind Unknown { get; } = new(PanicCategory.Unknown);

    public override string ToString() => Category switch
    {
        PanicCategory.Trap when TrapType is not null => $"trap type {TrapType}={TrapName}",
        PanicCategory.Trap => $"trap {TrapName}",
        PanicCategory.Assertion or PanicCategory.Message when SourceFile is not null => $"{Describe(Category)} at {SourceFile}:{SourceLine}",
        _ when Subject is not null => $"{Describe(Category)} ({Subject})",
        _ => Describe(Category),
    };

    private static string Describe(PanicCategory category) => category switch
    {
        PanicCategory.Trap => "trap",
        PanicCategory.DataAbort => "data abort",
        PanicCategory.DoubleFault => "double fault",
        PanicCategory.MachineCheck => "machine check",
        PanicCategory.Assertion => "assertion",
        PanicCategory.Watchdog => "watchdog",
        PanicCategory.UserspaceWatchdog => "userspace watchdog",
        PanicCategory.SleepWakeTimeout => "sleep/wake timeout",
        PanicCategory.Coprocessor => "coprocessor",
        PanicCategory.Gpu => "GPU",
        PanicCategory.Message => "message",
        PanicCategory.Empty => "empty message",
        _ => "unknown",
    };
}

public enum PanicCategory
{
    Unknown,
    Trap,
    DataAbort,
    DoubleFault,
    MachineCheck,
    Assertion,
    Watchdog,
    UserspaceWatchdog,
    SleepWakeTimeout,
    Coprocessor,
    Gpu,
    Message,
    Empty,
}
