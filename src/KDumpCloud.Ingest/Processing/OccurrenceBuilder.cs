using System.Net;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Fingerprinting.Rules;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Ingest.Processing;

/// <summary>Turns a message and what was read from its dump into the occurrence to record.</summary>
internal static class OccurrenceBuilder
{
    /// <summary>Whether the decoder found a panic at all (otherwise the fingerprint would group unrelated nothings).</summary>
    public static bool FoundPanic(PanicReport report) =>
        report.PanicMessage is not null || report.Frames.Count > 0 || report.Kind.Category != PanicCategory.Unknown;

    /// <summary>Most lines of a fingerprint's explanation kept, and their longest.</summary>
    private const int MaxExplanationLines = 24;
    private const int MaxExplanationLineLength = 300;

    public static Occurrence Decoded(IngestMessage message, PanicReport report, IReadOnlyList<string> checks, DateTimeOffset now, IngestOptions options,
        GroupingRules rules)
    {
        if (!FoundPanic(report))
        {
            return Special(message, OccurrenceStatus.NoPanic, WellKnownGroups.NoPanic,
                $"no panic found in the dump ({report.Container})", [.. checks, .. report.Warnings], now, options) with
            {
                PanicText = KeptText(report.SourceText),
                Model = report.Model,
                OsBuild = report.OsBuild,
                KernelVersion = ShortKernel(report.KernelVersion) ?? message.KernelVersion,
            };
        }

        return Identified(Common(message, now, options), report, options, rules) with
        {
            KernelVersion = ShortKernel(report.KernelVersion) ?? message.KernelVersion,
            Warnings = Bounded([.. checks, .. report.Warnings], options.MaxWarnings),
            PanicText = KeptText(report.SourceText),
        };
    }

    /// <summary><paramref name="occurrence"/> with the identity <paramref name="report"/> gives it (fingerprint, group,
    /// signature, kind, culprit, message), or null when the report has no panic. Regrouping uses it on a stored
    /// occurrence's text; the rest of the occurrence (who, when, where, its warnings and outcome) is kept.</summary>
    public static Occurrence? Reidentified(Occurrence occurrence, PanicReport report, IngestOptions options, GroupingRules rules) =>
        FoundPanic(report) ? Identified(occurrence, report, options, rules) : null;

    private static Occurrence Identified(Occurrence occurrence, PanicReport report, IngestOptions options, GroupingRules rules)
    {
        var fingerprint = Fingerprinter.Compute(report, rules);
        return occurrence with
        {
            GroupId = fingerprint.Hash,
            Fingerprint = fingerprint.Hash,
            FingerprintVersion = fingerprint.Version,
            Signature = fingerprint.Signature,
            FingerprintExplanation = [.. fingerprint.Explanation.Take(MaxExplanationLines).Select(line => Truncate(line, MaxExplanationLineLength)!)],
            Kind = report.Kind.ToString(),
            Culprit = report.Culprit,
            PanicMessage = Truncate(report.PanicMessage, options.MaxPanicMessageLength),
            Status = OccurrenceStatus.Decoded,
            Model = report.Model ?? occurrence.Model,
            OsBuild = report.OsBuild ?? occurrence.OsBuild,
        };
    }

    private static string? KeptText(string? text) =>
        text is null || text.Length <= Occurrence.MaxPanicTextLength ? text : text[..Occurrence.MaxPanicTextLength];

    public static Occurrence Failed(IngestMessage message, string reason, DateTimeOffset now, IngestOptions options) =>
        Special(message, OccurrenceStatus.Failed, WellKnownGroups.IngestFailed, "ingest failed on the dump", [reason], now, options)
        with { KernelVersion = message.KernelVersion };

    private static Occurrence Special(IngestMessage message, OccurrenceStatus status, string groupId, string signature,
        IReadOnlyList<string> warnings, DateTimeOffset now, IngestOptions options) => Common(message, now, options) with
    {
        GroupId = groupId,
        Fingerprint = groupId,
        FingerprintVersion = WellKnownGroups.Version,
        Signature = signature,
        Kind = "none",
        Status = status,
        Warnings = Bounded(warnings, options.MaxWarnings),
    };

    private static Occurrence Common(IngestMessage message, DateTimeOffset now, IngestOptions options) => new()
    {
        DumpId = message.DumpId,
        GroupId = string.Empty,
        Fingerprint = string.Empty,
        FingerprintVersion = string.Empty,
        Signature = string.Empty,
        Kind = string.Empty,
        Status = OccurrenceStatus.Decoded,
        ReceivedAt = message.ReceivedAt ?? now,
        Client = message.Client,
        Machine = MachineOf(message.Client),
        DumpLocation = message.BlobUri.ToString(),
        FileName = message.FileName,
        DumpSize = message.Size,
        Sha256 = message.Sha256,
        Complete = message.Complete,
        RelayHost = message.RelayHost,
    };

    /// <summary>The xnu build from a kernel version string (<c>…; root:xnu-4570.71.2~1/RELEASE_X86_64</c> gives
    /// <c>xnu-4570.71.2~1</c>), the form the file name carries and groups list; other strings are kept, bounded.</summary>
    public static string? ShortKernel(string? version)
    {
        if (string.IsNullOrWhiteSpace(version))
        {
            return null;
        }

        var start = version.IndexOf("xnu-", StringComparison.Ordinal);
        if (start < 0)
        {
            return version.Length <= 100 ? version : version[..100];
        }

        var end = version.AsSpan(start).IndexOfAny('/', ' ', ';');
        return end < 0 ? version[start..] : version.Substring(start, end);
    }

    /// <summary>The address without the port: a Mac panics from a new source port every time.</summary>
    public static string MachineOf(string client) =>
        IPEndPoint.TryParse(client, out var endPoint) ? endPoint.Address.ToString() : client;

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max] + "…";

    private static string[] Bounded(IReadOnlyList<string> warnings, int max) =>
        warnings.Count <= max ? [.. warnings] : [.. warnings.Take(max - 1), $"{warnings.Count - max + 1} more warnings not kept"];
}
