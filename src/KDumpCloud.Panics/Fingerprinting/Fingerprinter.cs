using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting.Rules;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Fingerprinting;

/// <summary>
/// Computes the versioned crash fingerprint (algorithm in README.md, "Fingerprint"). Inputs are only what is
/// stable per bug (panic-formats.md section 5): architecture, panic kind, message template, source file (no line),
/// culprit, and, for panics whose message says nothing specific (traps, empty or missing messages), the panic
/// location and the two frames below it, slide-normalised. Changing any rule means bumping <see cref="Version"/>.
/// </summary>
public static class Fingerprinter
{
    public const string Version = "kdc-fp-2";
    private const int MaxSignatureLength = 255;

    // kdc-fp-2 rule location-two-frames: the location and its caller. Deeper frames follow the trigger path and are
    // the first a pasted log loses.
    private const int LocationFrames = 2;

    /// <summary>
    /// xnu files that panic on behalf of their caller (scheduler, allocators, locks, VM): for their messages the
    /// backtrace culprit is the evidence of whose bug it is, so rule message-keyed leaves it in the hash.
    /// </summary>
    private static readonly string[] CallerBlamingSources = ["sched_prim", "zalloc", "zone", "kalloc", "kern_malloc", "lock", "pmap", "stack", "waitq", "thread", "vm_"];

    /// <summary>The default fingerprint (no lab rules).</summary>
    public static CrashFingerprint Compute(PanicReport report) => Compute(report, GroupingRules.Empty);

    /// <summary>
    /// The fingerprint with a lab's grouping rules applied: the first rule that matches either forces the group
    /// (the hash is the version and the group name alone) or adds one value to the default components. The rule's
    /// line shows in <see cref="CrashFingerprint.Explanation"/>.
    /// </summary>
    public static CrashFingerprint Compute(PanicReport report, GroupingRules rules)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(rules);
        var fingerprint = ComputeDefault(report);
        return rules.Match(report) is { } rule ? LabRuleApplier.Apply(fingerprint, rule, report) : fingerprint;
    }

    /// <summary>The hash of components as every version computes it: SHA-256, first 16 bytes, lower-case hex.</summary>
    internal static string Hash(IEnumerable<string> components) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', components))).AsSpan(0, 16));

    private static CrashFingerprint ComputeDefault(PanicReport report)
    {
        var kind = report.Kind;
        var explanation = new List<string>(6);
        var template = AddressSpaceNeutralTemplate(report);
        var culprit = report.Culprit;
        var hashCulprit = true;
        if (report.CulpritReason == CulpritFinder.MessageClassMethodReason)
        {
            explanation.Add($"culprit from message: {culprit} (rule {FingerprintRules.MessageClassMethod})");
            if (report.PanicMessage is { } message && MessageFacts.SaysTimedOut(message))
            {
                template = culprit + " timed out";
                explanation.Add($"template reduced to the method that timed out: \"{template}\" (rule {FingerprintRules.MethodTimeout})");
            }
        }
        else if (kind.Category == PanicCategory.UserspaceWatchdog && kind.Subject is { } service)
        {
            culprit = MessageFacts.ServiceName(service);
            // What the service was stuck on, when the release prints it, tells one hang from another (logd stuck
            // draining memory vs writing): it stays; the wording around it does not.
            var context = report.PanicMessage is { } watchdogMessage ? MessageFacts.WatchdogContext(watchdogMessage) : null;
            template = "userspace watchdog timeout" + (context is null ? string.Empty : "; " + MessageTemplate.Normalize(context));
            explanation.Add($"culprit: service {culprit} that missed its check-ins; template reduced to \"{template}\" (rule {FingerprintRules.WatchdogService})");
        }
        else if (culprit is not null)
        {
            explanation.Add($"culprit: {culprit} ({report.CulpritReason})");
        }

        if (kind.SourceFile is { } keyedSource && !NeedsFrames(kind) && !IsFromMessage(report) && !BlamesCaller(keyedSource))
        {
            hashCulprit = false;
            explanation.Add($"culprit {culprit ?? "(none found)"} left out of the hash: the message and {keyedSource} identify the bug, and a backtrace culprit changes when a log is cut or another kext is loaded (rule {FingerprintRules.MessageKeyed})");
        }

        if (kind.Category == PanicCategory.SleepWakeTimeout && kind.Subject is { } code && code.StartsWith("failure code", StringComparison.Ordinal))
        {
            template = "sleep wake failure in efi";
            explanation.Add($"{code}: hashed as it is, the only identity a firmware sleep/wake failure has (rule {FingerprintRules.SleepWakeFailureCode})");
        }

        var frames = NeedsFrames(kind) ? LocationKeys(report) : [];
        var components = new List<string>(8)
        {
            "version=" + Version,
            "arch=" + (report.Architecture ?? "?"),
            "kind=" + KindKey(kind),
            // kdc-fp-2 rule template-case: capitalisation of the same words changes between releases (OSXFUSE, osxfuse).
            "template=" + template.ToLowerInvariant(),
        };
        if (kind.SourceFile is { } sourceFile)
        {
            components.Add("source=" + sourceFile);
        }

        if (kind.Category == PanicCategory.SleepWakeTimeout && kind.Subject is { } subject && subject.StartsWith("failure code", StringComparison.Ordinal))
        {
            components.Add("subject=" + subject.ToLowerInvariant());
        }

        if (hashCulprit)
        {
            components.Add("culprit=" + (culprit ?? "?"));
        }

        if (frames.Count > 0)
        {
            components.Add("frames=" + string.Join(' ', frames));
            explanation.Add($"frames: {string.Join(' ', frames)} (the message names no location; rule {FingerprintRules.LocationTwoFrames})");
        }

        return new CrashFingerprint(Version, Hash(components), Signature(report, culprit, template, frames), components)
        {
            Explanation = explanation,
        };
    }

    private static bool IsFromMessage(PanicReport report) =>
        report.CulpritReason == CulpritFinder.MessageClassMethodReason || MessageClassifier.SuspectedBundle(report.PanicMessage ?? string.Empty) is not null
        || report.Kind.Category is PanicCategory.UserspaceWatchdog or PanicCategory.Coprocessor;

    private static bool BlamesCaller(string sourceFile)
    {
        foreach (var prefix in CallerBlamingSources)
        {
            if (sourceFile.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string AddressSpaceNeutralTemplate(PanicReport report) =>
        PanicReportAssembler.IsTrapLike(report.Kind) ? string.Empty : MessageTemplate.Normalize(report.PanicMessage);

    /// <summary>Generic messages identify nothing by themselves; the code location has to (Socorro's top frames).</summary>
    private static bool NeedsFrames(PanicKind kind) =>
        PanicReportAssembler.IsTrapLike(kind) || kind.Category is PanicCategory.Empty or PanicCategory.Unknown or PanicCategory.MachineCheck;

    private static string KindKey(PanicKind kind) => kind.TrapType is { } type
        ? $"{kind.Category}:{type.ToString(CultureInfo.InvariantCulture)}"
        : kind.Category == PanicCategory.Trap ? $"{kind.Category}:{kind.TrapName}" : kind.Category.ToString();

    /// <summary>The fault or caller address and the frames below it, or the first frames when it is not in the backtrace.</summary>
    private static List<string> LocationKeys(PanicReport report)
    {
        var keys = new List<string>(LocationFrames);
        var location = PanicReportAssembler.IsTrapLike(report.Kind) ? report.FaultAddress ?? report.CallerAddress : report.CallerAddress;
        if (location is { } raw && report.Architecture == "arm64")
        {
            location = AddressSpace.StripPointerAuthentication(raw);
        }

        var start = 0;
        if (location is { } address)
        {
            var index = FindFrame(report.Frames, address);
            // A location frame that names its kext and offset ("com.example + 33420") keys by them; a symbol would
            // make a symbolicated log differ from a plain one, so only the kext-relative form is taken from the frame.
            var locationFrame = index >= 0 && report.Frames[index] is { Kext: not null, KextOffset: not null } known ? known : null;
            keys.Add(AddressKey(address, locationFrame, report));
            start = index >= 0 ? index + 1 : report.Frames.Count;
        }

        for (var i = start; i < report.Frames.Count && keys.Count < LocationFrames; i++)
        {
            keys.Add(AddressKey(report.Frames[i].ReturnAddress, report.Frames[i], report));
        }

        return keys;
    }

    private static int FindFrame(IReadOnlyList<BacktraceFrame> frames, ulong address)
    {
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].ReturnAddress == address)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>kext+offset when a range covers it, the symbol when keepsyms printed one, else a slide-invariant kernel offset.</summary>
    private static string AddressKey(ulong address, BacktraceFrame? frame, PanicReport report)
    {
        if (frame is { Kext: { } kext, KextOffset: { } offset })
        {
            return $"{kext}+0x{offset:x}";
        }

        if (frame?.Symbol is { } symbol)
        {
            return $"{frame.Image}!{symbol}";
        }

        foreach (var k in report.Kexts)
        {
            if (k.Contains(address))
            {
                return $"{k.BundleId}+0x{address - k.Start!.Value:x}";
            }
        }

        var granule = AddressSpace.SlideGranule(report.Architecture);
        if (report.Architecture == "arm64" && (report.KernelCacheSlide ?? report.KernelSlide) is { } slide && address >= slide)
        {
            return $"kernel:0x{address - slide:x}";
        }

        // Pre-11 x86_64 kexts load at 0xffffff7f... on page boundaries; without their range only the page offset is stable.
        if (report.Architecture == "x86_64" && address >> 32 == 0xffffff7f)
        {
            return $"kext~0x{address % 0x1000:x}";
        }

        return granule == 0 ? $"0x{address:x}" : $"kernel~0x{address % granule:x}";
    }

    internal const int SignatureLimit = MaxSignatureLength;

    private static string Signature(PanicReport report, string? culprit, string template, List<string> frames)
    {
        if (culprit is null && template.Length == 0 && frames.Count == 0 && report.Kind.Category == PanicCategory.Unknown)
        {
            // Like Socorro's "EMPTY:" signatures: everything unidentifiable lands in one visible bucket.
            return "EMPTY: no panic message, backtrace or culprit found";
        }

        var parts = new List<string>(4);
        if (culprit is not null)
        {
            parts.Add(culprit);
        }

        parts.Add(template.Length > 0 ? template : report.Kind.ToString());
        if (report.Kind.SourceFile is { } source && template.Length > 0)
        {
            parts[^1] += " @" + source;
        }

        if (frames.Count > 0)
        {
            parts.Add(frames[0]);
        }

        var signature = string.Join(" | ", parts);
        return signature.Length <= MaxSignatureLength ? signature : signature[..(MaxSignatureLength - 3)] + "...";
    }
}
