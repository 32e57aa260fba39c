namespace KDumpCloud.Panics.Fingerprinting;

/// <summary>
/// A crash's identity: <see cref="Hash"/> groups occurrences of the same bug, <see cref="Signature"/> is the readable
/// form (at most 255 characters), and <see cref="Components"/> lists exactly what went into the hash.
/// </summary>
public sealed record CrashFingerprint(string Version, string Hash, string Signature, IReadOnlyList<string> Components)
{
    /// <summary>
    /// Why the components are what they are: one line per fact, naming the evidence and, when a rule chose or
    /// reduced it, the rule (e.g. <c>culprit from message: AppleUSBXHCI::abortGated (rule message-class-method)</c>).
    /// Lab grouping rules that applied are listed here too.
    /// </summary>
    public IReadOnlyList<string> Explanation { get; init; } = [];
}
