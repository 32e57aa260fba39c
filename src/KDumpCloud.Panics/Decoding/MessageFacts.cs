namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Facts a panic message states about itself that the backtrace may not: a C++ <c>Class::method</c> it was raised in,
/// whether it reports a timeout, and a watchdog service's short name. Hand-written single passes (no regex): messages
/// are untrusted and up to 16 Ki characters.
/// </summary>
internal static class MessageFacts
{
    private const int MaxIdentifier = 128;

    /// <summary>
    /// The first <c>Class::method</c> in the message, or null. The class must be an identifier of two or more
    /// characters that starts with a letter (not <c>std</c>); the method an identifier or destructor. Each <c>::</c>
    /// is looked at once and the identifiers around it cannot cross another <c>:</c>, so the scan is linear.
    /// </summary>
    public static string? ClassAndMethod(string? message)
    {
        if (message is null)
        {
            return null;
        }

        for (var at = message.IndexOf("::", StringComparison.Ordinal); at >= 0; at = message.IndexOf("::", at + 2, StringComparison.Ordinal))
        {
            var start = at;
            while (start > 0 && at - start < MaxIdentifier && IsIdentifierChar(message[start - 1]))
            {
                start--;
            }

            var methodStart = at + 2 < message.Length && message[at + 2] == '~' ? at + 3 : at + 2;
            var end = methodStart;
            while (end < message.Length && end - methodStart < MaxIdentifier && IsIdentifierChar(message[end]))
            {
                end++;
            }

            var className = message.AsSpan(start, at - start);
            var classCut = start > 0 && IsIdentifierChar(message[start - 1]);
            if (!classCut && className.Length >= 2 && char.IsAsciiLetter(className[0]) && !className.SequenceEqual("std") && end > methodStart)
            {
                return message[start..end];
            }
        }

        return null;
    }

    /// <summary>"timed out", "timeout" or "time out" anywhere in the message, any case.</summary>
    public static bool SaysTimedOut(string message) =>
        message.Contains("timed out", StringComparison.OrdinalIgnoreCase) || message.Contains("timeout", StringComparison.OrdinalIgnoreCase)
        || message.Contains("time out", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A launchd service as the userspace watchdog names it: 10.15 prints <c>com.apple.WindowServer</c>, 11 and later
    /// <c>WindowServer</c>, so the <c>com.apple.</c> prefix is dropped.
    /// </summary>
    public static string ServiceName(string service) =>
        service.StartsWith("com.apple.", StringComparison.Ordinal) && service.Length > "com.apple.".Length ? service["com.apple.".Length..] : service;

    private const string AliveContext = "not alive with context";
    private const int MaxContext = 256;

    /// <summary>
    /// What a userspace watchdog says the service was doing ("service returned not alive with context : unresponsive
    /// dispatch queue(s): com.apple.firehose.io-wl"), up to the end of its line, or null when the message has none
    /// (10.15 and earlier never print it).
    /// </summary>
    public static string? WatchdogContext(string message)
    {
        var at = message.IndexOf(AliveContext, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + AliveContext.Length;
        var end = message.IndexOf('\n', start);
        var context = message.AsSpan(start, Math.Min((end < 0 ? message.Length : end) - start, MaxContext)).Trim().TrimStart(':').Trim();
        return context.IsEmpty ? null : context.ToString();
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
