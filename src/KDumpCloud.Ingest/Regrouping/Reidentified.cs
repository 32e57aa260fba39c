using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Regrouping;

/// <summary>A stored occurrence and the identity the current fingerprint gives it (<see cref="New"/>: null when it is
/// kept as it is), with where that identity came from.</summary>
public sealed record Reidentified(Occurrence Stored, Occurrence? New, RegroupSource Source);
