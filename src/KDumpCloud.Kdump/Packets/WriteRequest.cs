namespace KDumpCloud.Kdump.Packets;

/// <summary>A parsed write request (kdump-protocol.md §4).</summary>
/// <param name="FileName">The name the Mac asked for, exactly as sent (validated later by the host).</param>
/// <param name="Mode">The transfer mode, lower-cased (always <c>octet</c> from xnu).</param>
/// <param name="HasFeatures">Whether the <c>features</c> string was present (xnu-1456 and later).</param>
/// <param name="FeatureMask">The advertised mask, all 32 bits as sent.</param>
/// <param name="AdvertisedPacketSize">The kernel's pktsz field if complete (xnu-2050+); every kdumpd ignores it.</param>
public sealed record WriteRequest(
    string FileName,
    string Mode,
    bool HasFeatures,
    uint FeatureMask,
    uint? AdvertisedPacketSize)
{
    /// <summary>What ACK 0 accepts: mask &amp; 3, and nothing at all without the features string,
    /// because pre-1456 kernels compare the whole opcode word with 4 (§4.3).</summary>
    public KdumpFeatures AcceptedFeatures =>
        HasFeatures ? (KdumpFeatures)(FeatureMask & (uint)KdumpFeatures.Known) : KdumpFeatures.None;
}
