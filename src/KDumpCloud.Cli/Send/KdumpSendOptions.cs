using System.Net;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Cli.Send;

/// <summary>One emulated panicking Mac: what it sends, to whom, and how the network between them behaves.</summary>
public sealed record KdumpSendOptions
{
    /// <summary>The relay's IPv4 address and WRQ port (<c>_panicd_ip</c>, <c>panicd_port</c>; 1069 by default).</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>The address to send from, e.g. 127.0.0.7 to look like another Mac on loopback; null lets the OS choose.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The name in the WRQ (see <see cref="DumpFileName"/>, or any <c>_panicd_corename</c>).</summary>
    public required string FileName { get; init; }

    /// <summary>The dump's content as the kernel produces it: already gzip-compressed for a 10.11+ gzip core.</summary>
    public required ReadOnlyMemory<byte> Content { get; init; }

    public DumpKind Kind { get; init; } = DumpKind.Core;

    public KernelGeneration Generation { get; init; } = KernelGeneration.Xnu7195Plus;

    /// <value><see cref="KernelTimeouts.Kernel"/> by default; <see cref="KernelTimeouts.Fast"/> for tests.</value>
    public KernelTimeouts Timeouts { get; init; } = KernelTimeouts.Kernel;

    /// <summary>Probability in [0, 1) that an outgoing datagram, or an incoming reply, is dropped.</summary>
    public double LossProbability { get; init; }

    /// <summary>Probability in [0, 1) that an outgoing datagram is sent twice.</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>Seeds the loss and duplication decisions, so a run can be repeated.</summary>
    public int Seed { get; init; }

    /// <summary>An overall bound on top of the kernel's per-packet limit; null for none.</summary>
    /// <value>10 minutes.</value>
    public TimeSpan? MaxDuration { get; init; } = TimeSpan.FromMinutes(10);
}
