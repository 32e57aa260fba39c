using System.Net;

namespace KDumpCloud.Kdump.Clients;

/// <summary>What a kernel-made dump name says (kdump-protocol.md §14), from <see cref="DumpFileName.TryParse"/>.</summary>
/// <param name="Kind">The prefix: <c>core</c>, <c>paniclog</c> or <c>systemlog</c>.</param>
/// <param name="KernelVersion"><c>xnu-</c> and the digits and dots after it (e.g. <c>xnu-11417.121.6</c>, at most 19
/// characters); null when the kernel wrote <c>custom</c> (its version string had no <c>xnu-</c>).</param>
/// <param name="ClientAddress">The panicking Mac's own IPv4 address, as it printed it.</param>
/// <param name="Gzip">Whether the name ends in <c>.gz</c> (cores only: a gzip stream, 10.11 and later).</param>
public sealed record DumpFileNameParts(DumpKind Kind, string? KernelVersion, IPAddress ClientAddress, bool Gzip)
{
    /// <summary>The kind as the name's prefix spells it.</summary>
    public string Prefix => DumpFileName.Prefix(Kind);
}
