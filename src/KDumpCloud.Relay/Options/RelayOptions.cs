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

    /// <summary>How many transfers one Mac address may run at once. A Mac dumps one file at a time; a new request
    /// from the same address and port replaces its old transfer rather than counting twice.</summary>
    /// <value>2.</value>
    [Range(1, 4096)]
    public int MaxTransfersPerSource { get; set; } = 2;

    /// <summary>Write requests one Mac address may send per second, with bursts of twice that; more are dropped
    /// without a reply.</summary>
    /// <value>10, enough for a refused Mac's 14 quick retransmissions.</value>
    [Range(1, 100_000)]
    public int WriteRequestsPerSecondPerSource { get; set; } = 10;

    /// <summary>How many dumps one Mac address may start per hour (a bucket that refills evenly); later requests are
    /// refused until it refills.</summary>
    /// <value>60: a Mac in a panic loop reboots and dumps every few minutes at most.</value>
    [Range(1, 1_000_000)]
    public int DumpsPerHourPerSource { get; set; } = 60;

    /// <summary>How many finished transfers may stay to answer a retransmitted EOF (about 50 s each, with a socket
    /// but no thread, file or large buffer). Past it the oldest stops answering.</summary>
    /// <value>1024.</value>
    [Range(0, 1_000_000)]
    public int MaxLingeringTransfers { get; set; } = 1024;

    /// <summary>The most bytes a dump's SEEKs may skip past the end of its file, all SEEKs together. Real cores skip
    /// at most their header's padding (kdump-protocol.md §7); a hole costs no transfer time but costs hashing and
    /// uploading, so without a bound three datagrams could make a multi-GiB file.</summary>
    /// <value>64 MiB.</value>
    [Range(0L, long.MaxValue)]
    public long MaxHoleBytes { get; set; } = 64L << 20;

    internal static readonly string[] DefaultAllowedNetworks =
        ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];
}
