using System.Globalization;
using System.Text.RegularExpressions;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Sorts a panic message into a <see cref="PanicKind"/> from its shape (panic-formats.md 2.2, 1.1-1.3, 3):
/// traps and their type, assertions and string panics with their source file, watchdogs and their service,
/// sleep/wake timeouts and their suspected bundle, coprocessor and GPU panics.
/// </summary>
internal static partial class MessageClassifier
{
    public static PanicKind Classify(string? message)
    {
        if (message is null)
        {
            return PanicKind.Unknown;
        }

        if (message.Length == 0)
        {
            return new PanicKind(PanicCategory.Empty);
        }

        // Wrapped messages carry line breaks where spaces were; classify the single-spaced text (section 6).
        message = Flatten(message);
        // Cheap substring checks gate each pattern: most messages match none of them (decode budget, issue 3).

        var source = SourceLocation(message);
        if (Has(message, "ype") && TrapPattern().Match(message) is { Success: true } trap)
        {
            return new PanicKind(PanicCategory.Trap)
            {
                TrapType = int.Parse(trap.Groups["type"].ValueSpan, CultureInfo.InvariantCulture),
                TrapName = trap.Groups["name"].Value.Trim(),
            };
        }

        if (Has(message, "kernel trap(cpu") && PowerPcTrapPattern().Match(message) is { Success: true } ppc)
        {
            return new PanicKind(PanicCategory.Trap) { TrapName = ppc.Groups["name"].Value.Trim() };
        }

        if (message.Contains("Double fault", StringComparison.OrdinalIgnoreCase))
        {
            return new PanicKind(PanicCategory.DoubleFault) { TrapType = 8, TrapName = "double fault" };
        }

        if (message.StartsWith("Kernel data abort", StringComparison.Ordinal) || message.StartsWith("Kernel instruction abort", StringComparison.Ordinal))
        {
            return new PanicKind(PanicCategory.DataAbort) { TrapName = message.StartsWith("Kernel data", StringComparison.Ordinal) ? "data abort" : "instruction abort" };
        }

        if (message.Contains("Machine Check", StringComparison.OrdinalIgnoreCase))
        {
            return new PanicKind(PanicCategory.MachineCheck) { SourceFile = source.File, SourceLine = source.Line };
        }

        if (Has(message, "assertion failed") && AssertionPattern.Match(message) is { Success: true } assertion)
        {
            return new PanicKind(PanicCategory.Assertion)
            {
                SourceFile = BaseName(assertion.Groups["file"].Value),
                SourceLine = int.TryParse(assertion.Groups["line"].ValueSpan, CultureInfo.InvariantCulture, out var line) ? line : null,
            };
        }

        if (Has(message, "userspace watchdog") && UserspaceWatchdogPattern.Match(message) is { Success: true } userspace)
        {
            return new PanicKind(PanicCategory.UserspaceWatchdog) { Subject = userspace.Groups["service"].Value };
        }

        if (message.Contains("watchdog", StringComparison.OrdinalIgnoreCase) && !message.Contains('@', StringComparison.Ordinal))
        {
            var subject = message.Contains("watchdogd", StringComparison.Ordinal) ? "watchdogd" : null;
            return new PanicKind(PanicCategory.Watchdog) { Subject = subject };
        }

        if (message.StartsWith("Sleep Wake failure in EFI", StringComparison.Ordinal))
        {
            // The failure code records where firmware stopped: the only identity such a report has.
            var code = message.IndexOf("failure code ", StringComparison.Ordinal);
            return new PanicKind(PanicCategory.SleepWakeTimeout) { Subject = code >= 0 ? message[code..] : null };
        }

        if (Has(message, "transition timed out") && SleepWakePattern().Match(message) is { Success: true } sleepWake)
        {
            return new PanicKind(PanicCategory.SleepWakeTimeout)
            {
                Subject = sleepWake.Groups["bundle"].Success ? sleepWake.Groups["bundle"].Value : null,
            };
        }

        if (Has(message, " PANIC") && CoprocessorPattern().Match(message) is { Success: true } coprocessor)
        {
            return new PanicKind(PanicCategory.Coprocessor) { Subject = CoprocessorFamily(coprocessor.Groups["name"].Value) };
        }

        if (message.Contains("GPU Panic", StringComparison.OrdinalIgnoreCase))
        {
            return new PanicKind(PanicCategory.Gpu) { SourceFile = source.File, SourceLine = source.Line };
        }

        return new PanicKind(PanicCategory.Message) { SourceFile = source.File, SourceLine = source.Line };
    }

    /// <summary>"Suspected bundle: X" in sleep/wake timeouts (2.2 shape 4).</summary>
    public static string? SuspectedBundle(string message) =>
        Has(message, "Suspected") && SuspectedBundlePattern().Match(Flatten(message)) is { Success: true } match ? match.Groups["bundle"].Value : null;

    /// <summary>Single-spaces a message whose wraps left line breaks, tabs or runs of spaces; others are returned as they are.</summary>
    public static string Flatten(string message)
    {
        if (message.AsSpan().IndexOfAny('\n', '\t', '\r') < 0 && !message.Contains("  ", StringComparison.Ordinal))
        {
            return message;
        }

        var builder = new System.Text.StringBuilder(message.Length);
        var pendingSpace = false;
        foreach (var c in message)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        if (pendingSpace)
        {
            builder.Append(' ');
        }

        return builder.ToString();
    }

    private static bool Has(string message, string part) => message.Contains(part, StringComparison.Ordinal);

    /// <summary>DCPEXT0..n are instances of the DCP firmware; the instance number is per-display noise (5).</summary>
    public static string CoprocessorFamily(string name) => ExternalInstancePattern().Replace(name, "$1");

    /// <summary>The <c>@path:line</c> or <c> @File.cpp:line</c> source tag of a string panic, path dropped (2.2 shapes 2, 3).</summary>
    public static (string? File, int? Line) SourceLocation(string message) =>
        SourceTag.Find(message) is { } tag ? (tag.File, tag.Line) : (null, null);

    public static string BaseName(string path)
    {
        var slash = path.LastIndexOf('/');
        return (slash >= 0 ? path[(slash + 1)..] : path).Replace(" ", string.Empty, StringComparison.Ordinal);
    }

    // Issue 6 item 9: with a backtracking engine these two scan lazily from every repeat of their first phrase to the
    // end of the message (quadratic: 17 s for 3.4 MB of "assertion failed: "). The non-backtracking engine is linear in
    // the message and gives the same matches and groups (AdversarialInputTests, RegexEquivalenceTests). It has no
    // source generator, so these are built once here; they run only on messages that contain their first phrase.
    internal static readonly Regex AssertionPattern = new(
        @"assertion failed:.*?,\s*file:\s*(?<file>\S+?),\s*line:\s*(?<line>\d+)",
        RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);

    internal static readonly Regex UserspaceWatchdogPattern = new(
        @"userspace watchdog timeout:.*?checkins from (?<service>[A-Za-z0-9_.\-]+)",
        RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);

    // The generated patterns below stay on the faster backtracking engine because each is linear as written (proved on
    // hostile input by AdversarialInputTests): every start they try is a distinct occurrence of a literal, and the run
    // a failed start scans ends where the next start begins. Trap: the name run cannot cross the next "type N =" (it
    // has a digit); PowerPC: the name run stops at '(' and Flatten leaves single spaces; sleep/wake: the first start
    // always matches (its bundle part is optional); coprocessor: anchored at the start of the message or name.

    [GeneratedRegex(@"[Tt]ype\s*(?<type>\d{1,3})\s*=\s*(?<name>[a-z][a-z \-]*[a-z])", RegexOptions.CultureInvariant)]
    private static partial Regex TrapPattern();

    [GeneratedRegex(@"kernel trap\(cpu \d+\):\s*0x[0-9A-Fa-f]+\s*-\s*(?<name>[A-Za-z ]+?)(?:\s+[A-Z]+=|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PowerPcTrapPattern();

    [GeneratedRegex(@"(?:Sleep|Wake) transition timed out(?:.*?Suspected bundle:\s*(?<bundle>[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+))?", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex SleepWakePattern();

    [GeneratedRegex(@"Suspected bundle:\s*(?<bundle>[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+)", RegexOptions.CultureInvariant)]
    private static partial Regex SuspectedBundlePattern();

    [GeneratedRegex(@"^(?<name>[A-Z][A-Z0-9]+) PANIC\b", RegexOptions.CultureInvariant)]
    private static partial Regex CoprocessorPattern();

    [GeneratedRegex(@"^([A-Z][A-Z0-9]*?)EXT\d*$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalInstancePattern();
}
