namespace KDumpCloud.Kdump.Transfers;

/// <summary>The decision for one datagram or timer tick. <see cref="PayloadStart"/> and
/// <see cref="PayloadLength"/> index into the datagram that was handed in. <see cref="Rewrites"/> marks a write
/// that lands below the dump's high-water mark (a SEEK back, pre-10.11 Mach-O cores, §7), so that consumers of the
/// file need not re-derive it; <see cref="Exceeded"/> says which limit a <see cref="TransferAction.LimitExceeded"/>
/// hit.</summary>
public readonly record struct TransferStep(
    TransferAction Action,
    uint AckBlock = 0,
    long Offset = 0,
    int PayloadStart = 0,
    int PayloadLength = 0,
    IgnoredReason Ignored = IgnoredReason.None,
    bool Rewrites = false,
    TransferLimit Exceeded = TransferLimit.None)
{
    /// <summary>Whether the host must send <see cref="AckBlock"/> after acting.</summary>
    public bool SendsAck => Action is TransferAction.Write or TransferAction.Seek
        or TransferAction.ResendAck or TransferAction.Complete;
}
