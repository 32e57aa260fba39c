using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KDumpCloud.Panics.Decoding;
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
    public const string Version = "kdc-fp-1";
    private const int MaxSignatureLength = 255;
    private const int LocationFrames = 3;

    public static CrashFingerprint Compute(PanicReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var kind = report.Kind;
        var template = AddressSpaceNeutralTemplate(report);
        var frames = NeedsFrames(kind) ? LocationKeys(report) : [];
        var components = new List<string>(8)
        {
            "version=" + Version,
            "arch=" + (report.Architecture ?? "?"),
            "kind=" + KindKey(kind),
            "template=" + template,
        };
        if (kind.SourceFile is { } sourceFile)
        {
            components.Add("source=" + sourceFile);
        }

        components.Add("culprit=" + (report.Culprit ?? "?"));
        if (frames.Count > 0)
        {
            components.Add("frames=" + string.Join(' ', frames));
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', components)));
        return new CrashFingerprint(Version, Convert.ToHexStringLower(hash.AsSpan(0, 16)), Signature(report, template, frames), components);
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
            keys.Add(AddressKey(address, null, report));
            var index = FindFrame(report.Frames, address);
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

    private static string Signature(PanicReport report, string template, List<string> frames)
    {
        if (report.Culprit is null && template.Length == 0 && frames.Count == 0 && report.Kind.Category == PanicCategory.Unknown)
        {
            // Like Socorro's "EMPTY:" signatures: everything unidentifiable lands in one visible bucket.
            return "EMPTY: no panic message, backtrace or culprit found";
        }

        var parts = new List<string>(4);
        if (report.Culprit is { } culprit)
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
