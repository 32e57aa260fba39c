using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting.Rules;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Regrouping;

/// <summary>
/// Regroups a store under the current fingerprint version: decodes every occurrence again (from the panic text stored
/// with it, else from its dump when <paramref name="reader"/> is given and the dump is still there), plans the mapping
/// from old groups to new ones (<see cref="RegroupPlanner"/>), and applies it unless asked for a dry run. The lab's
/// grouping rules (<see cref="IngestOptions.GroupingRulesFile"/>) apply as they do when recording.
/// </summary>
/// <remarks>
/// Run it with ingest stopped (the relay, the Function or the queue worker): an occurrence recorded while it runs is
/// not in the plan, and its group's count can be overwritten; running it again afterwards counts it. Memory is one
/// small record per occurrence (texts are decoded as they stream past and not kept).
/// </remarks>
public sealed class Regrouper(ICrashStore store, IDumpReader? reader, IOptions<IngestOptions> ingestOptions, TimeProvider time)
{
    private readonly IngestOptions _options = ingestOptions.Value;
    private readonly GroupingRules _rules = ingestOptions.Value.LoadGroupingRules();

    /// <summary>Plans the regrouping and, when <paramref name="apply"/>, writes it.</summary>
    public async Task<RegroupSummary> RegroupAsync(bool apply, CancellationToken cancellationToken)
    {
        var groups = new List<CrashGroup>();
        await foreach (var group in store.ScanGroupsAsync(cancellationToken).ConfigureAwait(false))
        {
            groups.Add(group);
        }

        var occurrences = new List<Reidentified>();
        await foreach (var occurrence in store.ScanOccurrencesAsync(cancellationToken).ConfigureAwait(false))
        {
            occurrences.Add(await ReidentifyAsync(occurrence, cancellationToken).ConfigureAwait(false));
        }

        var (plan, summary) = RegroupPlanner.Plan(groups, occurrences, time.GetUtcNow());
        summary.FromStoredText = occurrences.Count(o => o.Source == RegroupSource.StoredText);
        summary.FromDump = occurrences.Count(o => o.Source == RegroupSource.Dump);
        summary.Kept = occurrences.Count(o => o.Source == RegroupSource.Kept);
        if (apply && !plan.IsEmpty)
        {
            await store.ApplyRegroupAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        return summary;
    }

    private async Task<Reidentified> ReidentifyAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var stored = occurrence with { PanicText = null };
        if (occurrence.Status == OccurrenceStatus.Failed)
        {
            return new Reidentified(stored, null, RegroupSource.Kept);
        }

        if (occurrence.PanicText is { } text)
        {
            var report = PanicDecoder.Decode(text, occurrence.KernelVersion);
            return Identified(stored, report, RegroupSource.StoredText);
        }

        if (reader is not null && await ReadDumpAsync(occurrence, cancellationToken).ConfigureAwait(false) is { } fromDump)
        {
            return Identified(stored, fromDump, RegroupSource.Dump);
        }

        return new Reidentified(stored, null, RegroupSource.Kept);
    }

    /// <summary>A text that gives no panic now leaves the occurrence where it is rather than demoting it.</summary>
    private Reidentified Identified(Occurrence stored, Panics.Model.PanicReport report, RegroupSource source) =>
        OccurrenceBuilder.Reidentified(stored, report, _options, _rules) is { } identified
            ? new Reidentified(stored, identified, source)
            : new Reidentified(stored, null, RegroupSource.Kept);

    private async Task<Panics.Model.PanicReport?> ReadDumpAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        if (IngestMessage.ForRecorded(occurrence) is not { } message)
        {
            return null;
        }

        try
        {
            var dump = await reader!.OpenAsync(message, cancellationToken).ConfigureAwait(false);
            await using (dump.ConfigureAwait(false))
            {
                return await PanicFileDecoder.DecodeAsync(dump, _options.DecoderOptions(time), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DumpMissingException)
        {
            return null;
        }
    }
}
