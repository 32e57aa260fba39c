namespace KDumpCloud.Relay.Retention;

/// <summary>The spool's space when retention looks: what its dumps take and what the disk has free.</summary>
internal readonly record struct SpoolRoom(long UsedBytes, long AvailableDiskBytes);
