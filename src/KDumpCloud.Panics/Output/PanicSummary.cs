using System.Globalization;
using System.Text;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Output;

/// <summary>The human-readable summary <c>kdumpcloud decode</c> prints for one file.</summary>
public static class PanicSummary
{
    private const int FramesShown = 12;
    private const int MessageWidth = 300;

    public static string Format(string file, PanicReport report, CrashFingerprint fingerprint) => Format(file, report, fingerprint, explain: false);

    /// <summary>The summary; with <paramref name="explain"/>, also every component that went into the hash.</summary>
    public static string Format(string file, PanicReport report, CrashFingerprint fingerprint, bool explain)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var text = new StringBuilder();
        text.Append("== ").Append(file).Append('\n');
        Line(text, "Format", $"{report.Format} ({report.Container}){(report.Architecture is { } arch ? ", " + arch : string.Empty)}");
        Line(text, "Panic", report.PanicMessage is { } message ? OneLine(message) : "(no panic message found)");
        Line(text, "Kind", report.Kind.ToString());
        Line(text, "Culprit", report.Culprit is { } culprit ? $"{culprit} ({report.CulpritReason})" : null);
        Line(text, "Signature", fingerprint.Signature);
        Line(text, "Fingerprint", $"{fingerprint.Hash} ({fingerprint.Version})");
        foreach (var reason in fingerprint.Explanation)
        {
            Line(text, "Because", reason);
        }

        if (explain)
        {
            foreach (var component in fingerprint.Components)
            {
                Line(text, "Hashed", component);
            }
        }
        Line(text, "Kernel", report.KernelVersion);
        Line(text, "OS build", report.OsBuild);
        Line(text, "Model", report.Model);
        Line(text, "Process", report.ProcessName is { } process ? process + (report.Pid is { } pid ? $" (pid {pid})" : string.Empty) : null);
        Line(text, "CPU", report.Cpu?.ToString(CultureInfo.InvariantCulture));
        Line(text, "Slide", Slides(report));
        Line(text, "Last kext", report.LastStartedKext ?? report.LastLoadedKext);
        Line(text, "Uptime", report.UptimeNanoseconds is { } ns ? TimeSpan.FromMilliseconds(ns / 1_000_000.0).ToString("c", CultureInfo.InvariantCulture) : null);
        Line(text, "Machine", report.AnonymousUuid);
        foreach (var kext in report.Kexts)
        {
            Line(text, "Kext", $"{kext.BundleId} ({kext.Version}){Range(kext)}");
        }

        if (report.Frames.Count > 0)
        {
            Line(text, "Frames", report.Frames.Count > FramesShown ? $"{report.Frames.Count} (first {FramesShown})" : report.Frames.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var frame in report.Frames.Take(FramesShown))
            {
                text.Append("    ").Append(Hex(frame.ReturnAddress)).Append("  ").Append(Where(frame)).Append('\n');
            }
        }

        foreach (var warning in report.Warnings)
        {
            Line(text, "Warning", warning);
        }

        return text.ToString();
    }

    private static string Where(BacktraceFrame frame) => frame switch
    {
        { Kext: { } kext, KextOffset: { } offset } => $"{kext} + {Hex(offset)}",
        { Symbol: { } symbol } => $"{frame.Image} : {symbol}",
        { UnslidAddress: { } unslid } => $"kernel, unslid {Hex(unslid)}",
        { Kext: { } kext } => kext,
        _ => string.Empty,
    };

    private static string? Slides(PanicReport report)
    {
        var parts = new List<string>(2);
        if (report.KernelSlide is { } slide)
        {
            parts.Add("kernel " + Hex(slide));
        }

        if (report.KernelCacheSlide is { } cacheSlide)
        {
            parts.Add("kernelcache " + Hex(cacheSlide));
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static string Range(KextInBacktrace kext) =>
        kext.Start is { } start ? " @" + Hex(start) + (kext.End is { } end ? "->" + Hex(end) : string.Empty) : string.Empty;

    private static string OneLine(string message)
    {
        var flat = message.ReplaceLineEndings(" ");
        return flat.Length <= MessageWidth ? flat : flat[..MessageWidth] + "...";
    }

    private static void Line(StringBuilder text, string label, string? value)
    {
        if (value is not null)
        {
            text.Append("  ").Append((label + ":").PadRight(13)).Append(value).Append('\n');
        }
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
