namespace KDumpCloud.Benchmarks.Storm;

/// <summary>How one emulated Mac's dump ended, as its kernel would report it.</summary>
internal enum MacOutcome
{
    /// <summary>The final ACK arrived.</summary>
    Completed,

    /// <summary>Gave up after 14 transmissions of one packet, the last answered by ERROR.</summary>
    Refused,

    /// <summary>Gave up after 14 transmissions with no (useful) reply: "Cannot contact panic server, timing out".</summary>
    TimedOut,

    /// <summary>The harness's deadline stopped it first.</summary>
    Cancelled,

    /// <summary>The harness could not open or bind its socket (not the relay's fault).</summary>
    SocketFailed,
}

/// <summary>What one emulated dump did.</summary>
/// <param name="FileName">The name in the WRQ.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="ExpectedSha256">For a completed dump, the SHA-256 (lower-case hex) of the file a correct relay stores.</param>
/// <param name="WriteRequestToAck">WRQ (last transmission) → ACK 0, if ACK 0 came.</param>
/// <param name="Elapsed">First WRQ to the end.</param>
/// <param name="Detail">Why it did not complete, for people; the last ERROR text if any.</param>
internal sealed record MacResult(string FileName, MacOutcome Outcome, string? ExpectedSha256, TimeSpan? WriteRequestToAck,
    TimeSpan Elapsed, string? Detail);
