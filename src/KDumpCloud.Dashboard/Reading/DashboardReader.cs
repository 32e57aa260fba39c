using System.Globalization;
using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Querying;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Dashboard.Reading;

/// <summary>
/// Builds what the pages and the API show from the store (<see cref="ICrashStore"/> for a group and its occurrences,
/// <see cref="ICrashQueries"/> for lists and the overview). Reads only; <see cref="DashboardActions"/> changes.
/// </summary>
public sealed class DashboardReader(ICrashStore store, ICrashQueries queries, TimeProvider time, IOptions<DashboardOptions> options,
    IEnumerable<IRelayStateSource> relayState)
{
    /// <summary>Days of each list row's trend.</summary>
    public const int TrendDays = 30;

    /// <summary>Days of a group page's chart (what <see cref="DailyCounts"/> keeps).</summary>
    public const int ChartDays = DailyCounts.Days;

    /// <summary>Longest fingerprint looked up; longer ones are no group (the Table store's key limit).</summary>
    public const int MaxFingerprintLength = 128;

    /// <summary>Occurrences tried, newest first, for one whose panic text was kept when the sample's was not.</summary>
    private const int DecodeCandidates = 5;

    public async Task<GroupList> GroupsAsync(GroupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = await queries.QueryGroupsAsync(query, cancellationToken).ConfigureAwait(false);
        var today = Today();
        return new GroupList(query, page.Total, [.. page.Groups.Select(g => Row(g, today))], page.Kinds, page.OsBuilds);
    }

    /// <summary>The group page of <paramref name="fingerprint"/>; for a merged group, the group it was merged into
    /// instead (<c>MergedInto</c> set, so an old link redirects); null when there is no such group.</summary>
    public async Task<(GroupDetails? Details, string? MergedInto)> GroupAsync(string fingerprint, CancellationToken cancellationToken)
    {
        if (!IsPlausible(fingerprint))
        {
            return (null, null);
        }

        var group = await store.FindGroupAsync(fingerprint, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            return (null, null);
        }

        if (group is { Status: GroupStatus.Merged, MergedInto: { } into })
        {
            return (null, into);
        }

        var limit = options.Value.MaxOccurrences;
        var occurrences = await store.ListOccurrencesAsync(group.Id, limit, cancellationToken).ConfigureAwait(false);
        var today = Today();
        var panic = await DecodeAsync(group, occurrences, cancellationToken).ConfigureAwait(false);
        var details = new GroupDetails(Row(group, today), group.FingerprintVersion, group.Machines, group.Kernels, group.StatusChangedAt,
            DailyCounts.Series(group.DailyCounts, today, ChartDays), today, panic, [.. occurrences.Select(OccurrenceRowOf)], limit);
        return (details, null);
    }

    public async Task<OverviewModel> OverviewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DailyCounts.DayOf(now);
        var overview = await queries.OverviewAsync(now, cancellationToken).ConfigureAwait(false);
        OccurrenceRow? last = null;
        if (overview.LastCrash is { } lastGroup)
        {
            var newest = await store.ListOccurrencesAsync(lastGroup.Id, 1, cancellationToken).ConfigureAwait(false);
            last = newest.Count == 0 ? null : OccurrenceRowOf(newest[0]);
        }

        var relay = new List<RelayStateItem>();
        foreach (var source in relayState)
        {
            relay.AddRange(await source.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        return new OverviewModel(now, overview.CrashesPerDay, today, overview.Groups, overview.OpenGroups, overview.Occurrences,
            overview.NewThisWeekCount, [.. overview.NewThisWeek.Select(g => Row(g, today))],
            [.. overview.TopThisWeek.Select(r => new RankedRow(Row(r.Group, today), r.Occurrences))], last, overview.LastCrash?.Id, relay);
    }

    /// <summary>The occurrence behind a download link, if it exists.</summary>
    public Task<Occurrence?> OccurrenceAsync(Guid dumpId, CancellationToken cancellationToken) => store.FindOccurrenceAsync(dumpId, cancellationToken);

    /// <summary>Whether <paramref name="fingerprint"/> could name a group at all (bounded, printable).</summary>
    public static bool IsPlausible(string? fingerprint) =>
        !string.IsNullOrEmpty(fingerprint) && fingerprint.Length <= MaxFingerprintLength && !fingerprint.Any(char.IsControl);

    /// <summary>The group's link, relative to the dashboard's root: its fingerprint, escaped.</summary>
    public static string GroupPath(string fingerprint) => "/groups/" + Uri.EscapeDataString(fingerprint);

    /// <summary>The download link of an occurrence's dump, relative to the dashboard's root.</summary>
    public static string DumpPath(Guid dumpId) => "/dumps/" + dumpId.ToString("D");

    private DateOnly Today() => DailyCounts.DayOf(time.GetUtcNow());

    private static GroupRow Row(CrashGroup group, DateOnly today) => new(group.Id, group.Signature, group.Kind, group.Culprit, group.Message,
        group.Status, group.Count, group.Machines.Count, group.MachinesSaturated, group.OsBuilds, group.FirstSeen, group.LastSeen,
        DailyCounts.Series(group.DailyCounts, today, TrendDays));

    private static OccurrenceRow OccurrenceRowOf(Occurrence o) => new(o.DumpId, o.ReceivedAt, o.Machine, o.Client, o.Model, o.OsBuild,
        o.KernelVersion, o.Complete, o.Status, o.Outcome, o.RegressionReason, o.FileName, o.DumpSize, o.RelayHost, o.Warnings, DumpPath(o.DumpId));

    /// <summary>Decodes the sample occurrence's kept panic text again (or the newest occurrence's that has one): the
    /// store keeps the text, not the backtrace, and decoding a log takes well under a millisecond.</summary>
    private async Task<DecodedPanic?> DecodeAsync(CrashGroup group, IReadOnlyList<Occurrence> occurrences, CancellationToken cancellationToken)
    {
        var candidates = new List<(Guid DumpId, string? Kernel)> { (group.SampleDumpId, null) };
        candidates.AddRange(occurrences.Take(DecodeCandidates).Where(o => o.DumpId != group.SampleDumpId).Select(o => (o.DumpId, o.KernelVersion)));
        foreach (var (dumpId, kernel) in candidates)
        {
            var text = await queries.FindPanicTextAsync(dumpId, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            var report = PanicDecoder.Decode(text, kernel);
            var fingerprint = Fingerprinter.Compute(report);
            return new DecodedPanic(dumpId, report.PanicMessage, report.Kind.ToString(), report.Culprit, report.CulpritReason,
                [.. report.Frames.Select(f => new FrameRow(Hex(f.ReturnAddress), f.Kext ?? f.Image,
                    f.KextOffset is { } offset ? "+" + Hex(offset) : null, f.Symbol))],
                [.. report.Kexts.Select(k => new KextRow(k.BundleId, k.Version, k.Uuid))],
                fingerprint.Components, fingerprint.Explanation, report.Warnings);
        }

        return null;
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
