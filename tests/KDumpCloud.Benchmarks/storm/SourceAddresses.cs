using System.Net;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// Distinct loopback sources, one per emulated Mac: 127.<c>block</c>.x.y with y in 1 … 254 (no network- or
/// broadcast-looking last octets), so each phase has its own /16 and up to 65,024 Macs. All of 127.0.0.0/8 is
/// loopback on Linux, so a socket can bind any of them without configuration.
/// </summary>
internal static class SourceAddresses
{
    public const int PerBlock = 254 * 256;

    public const byte Probe = 1;
    public const byte MassDump = 2;
    public const byte ShortTransfers = 3;
    public const byte Flood = 4;

    public static IPAddress For(byte block, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, PerBlock);
        return new IPAddress([127, block, (byte)(index / 254), (byte)((index % 254) + 1)]);
    }
}
