namespace KDumpCloud.Kdump.Transfers;

/// <summary>Why a datagram was dropped without a reply; counted per transfer and logged at its end.</summary>
public enum IgnoredReason
{
    None,
    TooShort,
    UnexpectedBlock,
    UnexpectedOpcode,
    MalformedSeek,
    AfterFinish,
    NotYetDue,
}
