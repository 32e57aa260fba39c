namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// The xnu generations whose dump client behaves differently on the wire: one value per column of
/// kdump-protocol.md §15.1. The names give the xnu source versions; <see cref="KernelProfile.Releases"/> gives
/// the macOS releases.
/// </summary>
public enum KernelGeneration
{
    /// <summary>10.3–10.5 (xnu-517 … 1228), and 32-bit (i386) 10.6 kernels: no features, 7-byte corehdr.</summary>
    Xnu517To1228,

    /// <summary>10.6 LP64 (xnu-1456 … 1504): features mask 1 (64-bit SEEK), 7-byte corehdr, 'X' fill.</summary>
    Xnu1456To1504,

    /// <summary>10.7 (xnu-1699): mask 3, pktsz cut short in the WRQ, 6-byte corehdr, name extras without the NUL.</summary>
    Xnu1699,

    /// <summary>10.8–10.10 (xnu-2050 … 2782): the exact n+26 WRQ; the last Mach-O + SEEK cores.</summary>
    Xnu2050To2782,

    /// <summary>10.11–10.15 (xnu-3247 … 6153): gzip cores sent sequentially, no SEEK.</summary>
    Xnu3247To6153,

    /// <summary>11 and later (xnu-7195 …): 1406-byte buffers, split 512/512/382 when large packets are refused.</summary>
    Xnu7195Plus,
}
