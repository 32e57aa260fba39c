namespace KDumpCloud.Kdump.Transfers;

/// <summary>Which of the host's limits ended a transfer.</summary>
public enum TransferLimit
{
    None,

    /// <summary>A DATA or SEEK would take the file past the largest dump allowed.</summary>
    DumpSize,

    /// <summary>SEEKs past the end of the file would leave more unwritten bytes (holes) than allowed: real cores
    /// leave at most their header's padding (§7), and a hole costs hashing and upload time but no transfer time.</summary>
    Holes,
}
