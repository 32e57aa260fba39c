namespace KDumpCloud.Panics.Fingerprinting;

/// <summary>
/// A crash's identity: <see cref="Hash"/> groups occurrences of the same bug, <see cref="Signature"/> is the readable
/// form (at most 255 characters), and <see cref="Components"/> lists exactly what went into the hash.
/// </summary>
public sealed record CrashFingerprint(string Version, string Hash, string Signature, IReadOnlyList<string> Components);
