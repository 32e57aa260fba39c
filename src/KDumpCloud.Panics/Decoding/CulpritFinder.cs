using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// Chooses the suspected culprit, strongest evidence first: a bundle the kernel itself names (sleep/wake
/// "Suspected bundle", userspace watchdog service), the coprocessor firmware, a <c>Class::method</c> the message
/// names, the innermost third-party kext in
/// the backtrace, the kext holding the panic location, the innermost kext frame, the first kext listed.
/// </summary>
internal static class CulpritFinder
{
    /// <summary>The reason given when the culprit is a <c>Class::method</c> named in the message.</summary>
    public const string MessageClassMethodReason = "class and method named in the panic message";


    public static (string? Culprit, string? Reason) Find(PanicKind kind, string? message, string? firmware,
        IReadOnlyList<BacktraceFrame> frames, int locationFrame, ulong? location, IReadOnlyList<KextInBacktrace> kexts)
    {
        if (message is not null && MessageClassifier.SuspectedBundle(message) is { } bundle)
        {
            return (bundle, "suspected bundle named in the panic message");
        }

        if (kind.Category == PanicCategory.UserspaceWatchdog && kind.Subject is { } service)
        {
            return (service, "service that missed its watchdog check-ins");
        }

        if (kind.Category == PanicCategory.Coprocessor && kind.Subject is { } coprocessor)
        {
            return (firmware is null ? coprocessor : $"{coprocessor} firmware {WithoutBuildNumber(firmware)}", "coprocessor that panicked");
        }

        // kdc-fp-2 rule message-class-method: the code that printed the message names itself; the backtrace may say
        // only "kernel" (arm64 without kext ranges, a log cut before its backtrace) or name whichever kext called in.
        if (MessageFacts.ClassAndMethod(message) is { } method)
        {
            return (method, MessageClassMethodReason);
        }

        var start = Math.Max(locationFrame, 0);
        for (var i = start; i < frames.Count; i++)
        {
            if (frames[i].Kext is { } kext && !IsApple(kext))
            {
                return (kext, "innermost third-party kext in the backtrace");
            }
        }

        foreach (var frame in frames)
        {
            if (frame.Kext is { } kext && !IsApple(kext))
            {
                return (kext, "third-party kext in the backtrace");
            }
        }

        if (location is { } address && kexts.FirstOrDefault(k => k.Contains(address)) is { } holder)
        {
            return (holder.BundleId, "kext containing the panic location");
        }

        for (var i = start; i < frames.Count; i++)
        {
            if (frames[i].Kext is { } kext)
            {
                return (kext, "innermost kext in the backtrace");
            }
        }

        foreach (var kext in kexts)
        {
            if (!IsApple(kext.BundleId))
            {
                return (kext.BundleId, "third-party kext listed in the backtrace");
            }
        }

        if (kexts.Count > 0)
        {
            return (kexts[0].BundleId, "first kext listed in the backtrace");
        }

        return frames.Count > 0 || location is not null ? ("kernel", "no kext in the backtrace") : (null, null);
    }

    public static bool IsApple(string bundleId) => bundleId.StartsWith("com.apple.", StringComparison.Ordinal);

    /// <summary>"AppleDCP-811.1.1~291-t600xdcp.RELEASE": the ~N build counter differs between identical firmware builds.</summary>
    public static string WithoutBuildNumber(string firmware)
    {
        var tilde = firmware.IndexOf('~', StringComparison.Ordinal);
        if (tilde < 0)
        {
            return firmware;
        }

        var end = tilde + 1;
        while (end < firmware.Length && char.IsAsciiDigit(firmware[end]))
        {
            end++;
        }

        return firmware[..tilde] + firmware[end..];
    }
}
