namespace KDumpCloud.Kdump.Transfers;

/// <summary>What the host must do with one datagram or timer tick, in this order: act, then send the ACK.</summary>
public enum TransferAction
{
    /// <summary>Nothing to send or store (see <see cref="TransferStep.Ignored"/> for why).</summary>
    Ignore,

    /// <summary>Store the payload at <see cref="TransferStep.Offset"/>, then ACK.</summary>
    Write,

    /// <summary>The next write goes to <see cref="TransferStep.Offset"/>; ACK.</summary>
    Seek,

    /// <summary>Send <see cref="TransferStep.AckBlock"/> again: a duplicate arrived, or the peer went quiet.</summary>
    ResendAck,

    /// <summary>EOF: make the dump durable and record it complete, then send the final ACK.</summary>
    Complete,

    /// <summary>The peer sent ERROR: keep what was received, mark it incomplete, send nothing.</summary>
    Abort,

    /// <summary>A DATA or SEEK would take the dump past its size limit: keep what was received, mark it incomplete.</summary>
    LimitExceeded,

    /// <summary>Silence limit reached while receiving: keep what was received, mark it incomplete.</summary>
    GiveUp,

    /// <summary>A finished transfer's linger time is over: release it.</summary>
    Close,
}
