using System.Globalization;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Json;

/// <summary>
/// The JSON Lines shape of one decoded file (issue 3, <c>kdumpcloud decode --json</c>). Addresses are hex strings
/// so that 64-bit values survive JavaScript consumers; absent values are omitted.
/// </summary>
public sealed record PanicReportDocument
{
    public required string File { get; init; }
    public required string Format { get; init; }
    public required string Container { get; init; }
    public string? Architecture { get; init; }
    public string? PanicMessage { get; init; }
    public required KindDocument Kind { get; init; }
    public string? Culprit { get; init; }
    public string? CulpritReason { get; init; }
    public required string Fingerprint { get; init; }
    public required string FingerprintVersion { get; init; }
    public required string Signature { get; init; }
    public required IReadOnlyList<string> FingerprintComponents { get; init; }

    /// <summary>Why the fingerprint is what it is: the evidence and the rule behind each component (kdc-fp-2).</summary>
    public required IReadOnlyList<string> FingerprintExplanation { get; init; }
    public string? KernelVersion { get; init; }
    public string? KernelUuid { get; init; }
    public string? OsBuild { get; init; }
    public string? Model { get; init; }
    public string? Process { get; init; }
    public int? Pid { get; init; }
    public string? PanickedTask { get; init; }
    public string? PanickedThread { get; init; }
    public int? Cpu { get; init; }
    public string? Caller { get; init; }
    public string? FaultAddress { get; init; }
    public string? KernelSlide { get; init; }
    public string? KernelTextBase { get; init; }
    public string? KernelCacheSlide { get; init; }
    public string? KernelCacheBase { get; init; }
    public string? LastLoadedKext { get; init; }
    public string? LastStartedKext { get; init; }
    public ulong? UptimeNanoseconds { get; init; }
    public string? AnonymousUuid { get; init; }
    public string? BootArgs { get; init; }
    public string? PaniclogVersion { get; init; }
    public string? CoprocessorFirmware { get; init; }
    public required IReadOnlyList<FrameDocument> Frames { get; init; }
    public required IReadOnlyList<KextDocument> Kexts { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }

    public static PanicReportDocument From(string file, PanicReport report, CrashFingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(fingerprint);
        return new PanicReportDocument
        {
            File = file,
            Format = report.Format,
            Container = report.Container.ToString(),
            Architecture = report.Architecture,
            PanicMessage = report.PanicMessage,
            Kind = new KindDocument(report.Kind.Category.ToString(), report.Kind.ToString())
            {
                TrapType = report.Kind.TrapType,
                TrapName = report.Kind.TrapName,
                SourceFile = report.Kind.SourceFile,
                SourceLine = report.Kind.SourceLine,
                Subject = report.Kind.Subject,
            },
            Culprit = report.Culprit,
            CulpritReason = report.CulpritReason,
            Fingerprint = fingerprint.Hash,
            FingerprintVersion = fingerprint.Version,
            Signature = fingerprint.Signature,
            FingerprintComponents = fingerprint.Components,
            FingerprintExplanation = fingerprint.Explanation,
            KernelVersion = report.KernelVersion,
            KernelUuid = report.KernelUuid,
            OsBuild = report.OsBuild,
            Model = report.Model,
            Process = report.ProcessName,
            Pid = report.Pid,
            PanickedTask = report.PanickedTask,
            PanickedThread = report.PanickedThread,
            Cpu = report.Cpu,
            Caller = HexOrNull(report.CallerAddress),
            FaultAddress = HexOrNull(report.FaultAddress),
            KernelSlide = HexOrNull(report.KernelSlide),
            KernelTextBase = HexOrNull(report.KernelTextBase),
            KernelCacheSlide = HexOrNull(report.KernelCacheSlide),
            KernelCacheBase = HexOrNull(report.KernelCacheBase),
            LastLoadedKext = report.LastLoadedKext,
            LastStartedKext = report.LastStartedKext,
            UptimeNanoseconds = report.UptimeNanoseconds,
            AnonymousUuid = report.AnonymousUuid,
            BootArgs = report.BootArgs,
            PaniclogVersion = report.PaniclogVersion,
            CoprocessorFirmware = report.CoprocessorFirmware,
            Frames = [.. report.Frames.Select(f => new FrameDocument(Hex(f.ReturnAddress))
            {
                UnslidAddress = HexOrNull(f.UnslidAddress),
                Kext = f.Kext,
                KextOffset = HexOrNull(f.KextOffset),
                Image = f.Image,
                Symbol = f.Symbol,
            })],
            Kexts = [.. report.Kexts.Select(k => new KextDocument(k.BundleId)
            {
                Version = k.Version,
                Uuid = k.Uuid,
                Start = HexOrNull(k.Start),
                End = HexOrNull(k.End),
                Dependencies = k.Dependencies,
            })],
            Warnings = report.Warnings,
        };
    }

    internal static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string? HexOrNull(ulong? value) => value is { } v ? Hex(v) : null;
}

public sealed record KindDocument(string Category, string Description)
{
    public int? TrapType { get; init; }
    public string? TrapName { get; init; }
    public string? SourceFile { get; init; }
    public int? SourceLine { get; init; }
    public string? Subject { get; init; }
}

public sealed record FrameDocument(string ReturnAddress)
{
    public string? UnslidAddress { get; init; }
    public string? Kext { get; init; }
    public string? KextOffset { get; init; }
    public string? Image { get; init; }
    public string? Symbol { get; init; }
}

public sealed record KextDocument(string BundleId)
{
    public string? Version { get; init; }
    public string? Uuid { get; init; }
    public string? Start { get; init; }
    public string? End { get; init; }
    public IReadOnlyList<string> Dependencies { get; init; } = [];
}
