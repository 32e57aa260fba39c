namespace KDumpCloud.Cli.Send;

public enum SendOutcome
{
    /// <summary>The final ACK (the answer to EOF) arrived.</summary>
    Completed,

    /// <summary>14 transmissions of one packet drew ERROR replies and no ACK; see <see cref="KdumpSendResult.ErrorText"/>.</summary>
    Refused,

    /// <summary>14 transmissions of one packet went unanswered (the kernel's "Cannot contact panic server"), or
    /// <see cref="KdumpSendOptions.MaxDuration"/> passed.</summary>
    TimedOut,

    /// <summary>The caller's token was cancelled.</summary>
    Cancelled,
}
