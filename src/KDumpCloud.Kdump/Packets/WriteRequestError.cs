namespace KDumpCloud.Kdump.Packets;

/// <summary>Why a datagram is not an acceptable write request.</summary>
public enum WriteRequestError
{
    None,

    /// <summary>Shorter than a header, or another opcode. kdumpd exits silently; so do we (no reply).</summary>
    NotWriteRequest,

    /// <summary>No NUL ends the file name (ERROR EBADOP, §4.2 step 1).</summary>
    UnterminatedFileName,

    /// <summary>A mode other than <c>octet</c> (ERROR EBADOP, §4.2 step 3).</summary>
    UnsupportedMode,

    /// <summary>The name is not valid UTF-8 (ERROR EACCESS).</summary>
    InvalidFileNameEncoding,
}
