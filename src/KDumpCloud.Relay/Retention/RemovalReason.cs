namespace KDumpCloud.Relay.Retention;

/// <summary>Which rule removed an uploaded dump, in the order the rules are asked.</summary>
internal enum RemovalReason
{
    /// <summary>Older than <c>Retention:UploadedMaxAge</c>.</summary>
    Age,

    /// <summary>Uploaded dumps took more than <c>Retention:UploadedMaxBytes</c>.</summary>
    Bytes,

    /// <summary>The spool had less than the headroom left under <c>Relay:SpoolQuotaBytes</c>.</summary>
    SpoolSpace,

    /// <summary>The disk had less than the headroom left above <c>Relay:MinFreeDiskBytes</c>.</summary>
    DiskSpace,
}
