using System.ComponentModel.DataAnnotations;

namespace KDumpCloud.Relay.Options;

/// <summary>The relay's settings, bound from the <c>Relay</c> configuration section
/// (appsettings.json, <c>Relay__Port</c> environment variables, or <c>--Relay:Port</c> on the command line).</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Relay";

    /// <summary>The UDP port Macs send their write requests to (<c>panicd_port</c> on the Mac).</summary>
    /// <value>1069, the kdump default. 0 picks a free port (tests).</value>
    [Range(0, 65535)]
    public int Port { get; set; } = 1069;

    /// <summary>The local IPv4 address to listen on. The kernel speaks IPv4 only.</summary>
    /// <value>0.0.0.0, every IPv4 address of this machine.</value>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Where dumps (<c>dumps/</c>) and their journals (<c>journal/</c>) are kept. A relative path is
    /// taken from the current directory.</summary>
    /// <value><c>kdumpcloud-data</c> in the current directory.</value>
    [Required]
    public string DataDirectory { get; set; } = "kdumpcloud-data";

    /// <summary>CIDR ranges whose write requests are served; anything else gets no reply at all.</summary>
    /// <value>Loopback, link-local and the private ranges: 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12,
    /// 192.168.0.0/16, 169.254.0.0/16.</value>
    public IList<string> AllowedNetworks { get; set; } = [];

    /// <summary>The largest file one dump may produce. A request is refused, or a transfer stopped, past it.</summary>
    /// <value>64 GiB.</value>
    [Range(1L, long.MaxValue)]
    public long MaxDumpBytes { get; set; } = 64L << 30;

    /// <summary>The most bytes all dumps in the spool may take together.</summary>
    /// <value>512 GiB.</value>
    [Range(1L, long.MaxValue)]
    public long SpoolQuotaBytes { get; set; } = 512L << 30;

    /// <summary>New requests are refused while the data directory's disk has less free space than this.</summary>
    /// <value>1 GiB.</value>
    [Range(0L, long.MaxValue)]
    public long MinFreeDiskBytes { get; set; } = 1L << 30;

    /// <summary>How many transfers may run at once; more requests are refused until one ends.</summary>
    /// <value>64.</value>
    [Range(1, 4096)]
    public int MaxConcurrentTransfers { get; set; } = 64;

    internal static readonly string[] DefaultAllowedNetworks =
        ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];
}
