namespace KDumpCloud.Panics.Fingerprinting;

/// <summary>
/// Names of the kdc-fp-2 rules, as <see cref="CrashFingerprint.Explanation"/> cites them. Each is described, with its
/// reason and the variation it absorbs, in README.md ("Fingerprint").
/// </summary>
public static class FingerprintRules
{
    /// <summary>A <c>Class::method</c> named in the message is the culprit, whatever the backtrace shows.</summary>
    public const string MessageClassMethod = "message-class-method";

    /// <summary>A message that names a method and says it timed out is keyed by that method alone.</summary>
    public const string MethodTimeout = "method-timeout";

    /// <summary>A userspace watchdog is keyed by its service's short name, not by the wording around it.</summary>
    public const string WatchdogService = "watchdog-service";

    /// <summary>A string panic with a source file is keyed by message and file, not by a backtrace culprit.</summary>
    public const string MessageKeyed = "message-keyed";

    /// <summary>A firmware sleep/wake failure (no panic line) is keyed by its failure code.</summary>
    public const string SleepWakeFailureCode = "sleep-wake-failure-code";

    /// <summary>Panics keyed by location use the location and its caller only.</summary>
    public const string LocationTwoFrames = "location-two-frames";
}
