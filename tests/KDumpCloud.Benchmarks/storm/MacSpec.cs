using System.Net;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>One emulated panicking Mac: where it sends from, what, and with which kernel clock.</summary>
/// <param name="Server">The relay's address and WRQ port (<c>panicd_port</c>).</param>
/// <param name="Local">The Mac's own address and source port (a real Mac's is its <c>panicd_port</c>).</param>
/// <param name="FileName">The name in the WRQ.</param>
/// <param name="Content">The core as the kernel streams it (a 10.11+ core is sent as is, so the file equals it).</param>
/// <param name="Timeouts">The kernel's budgets, or <see cref="KernelTimeouts.Fast"/>.</param>
internal sealed record MacSpec(IPEndPoint Server, IPEndPoint Local, string FileName, ReadOnlyMemory<byte> Content, KernelTimeouts Timeouts)
{
    /// <summary>Modern macOS: 1406-byte DATA, sequential core.</summary>
    public KernelGeneration Generation { get; init; } = KernelGeneration.Xnu7195Plus;
}
