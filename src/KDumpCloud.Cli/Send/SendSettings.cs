using System.Net;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Cli.Send;

/// <summary>What <c>kdumpcloud send</c> was asked to do, parsed and checked.</summary>
internal sealed record SendSettings
{
    public required IPEndPoint Server { get; init; }

    /// <summary>A file to send, or null to send <see cref="RandomBytes"/> seeded random bytes.</summary>
    public string? FilePath { get; init; }

    public long RandomBytes { get; init; }

    /// <summary>Send <see cref="Send.ExamplePanic"/> instead of a file or random bytes.</summary>
    public bool ExamplePanic { get; init; }

    public int Seed { get; init; } = 1;

    public DumpKind Kind { get; init; } = DumpKind.Core;

    public KernelGeneration Generation { get; init; } = KernelGeneration.Xnu7195Plus;

    /// <summary>Compress the content first, as 10.11+ kernels do with cores (level "fastest" ≈ Z_BEST_SPEED).</summary>
    public bool Gzip { get; init; }

    /// <summary>Overrides the generated name, like <c>_panicd_corename</c>; with several transfers, <c>-1</c>, <c>-2</c> … are appended.</summary>
    public string? Name { get; init; }

    public KernelTimeouts Timeouts { get; init; } = KernelTimeouts.Kernel;

    public double Loss { get; init; }

    public double Duplicate { get; init; }

    public int Concurrency { get; init; } = 1;

    public IPAddress? LocalAddress { get; init; }

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);
}
