namespace KDumpCloud.Kdump.Transfers;

public enum TransferState
{
    Receiving,

    /// <summary>EOF received: the dump is whole.</summary>
    Completed,

    /// <summary>Ended without EOF (peer error, size limit, silence): what was received is kept.</summary>
    Incomplete,
}
