namespace KDumpCloud.Panics.Model;

/// <summary>A kext from "Kernel Extensions in backtrace" (panic-formats.md 2.5); dependencies deduplicated.</summary>
public sealed record KextInBacktrace(string BundleId)
{
    public string? Version { get; init; }
    public string? Uuid { get; init; }
    public ulong? Start { get; init; }
    public ulong? End { get; init; }
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    public bool Contains(ulong address) => Start is { } start && End is { } end && address >= start && address <= end;
}
