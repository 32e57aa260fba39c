using System.Diagnostics;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Processing;

/// <summary>
/// The processing core both hosts call (the queue-triggered Function and the embedded relay): reads the dump a message
/// points at once, decodes and fingerprints its panic, records the occurrence in its group exactly once, then publishes
/// the report and tells the observers.
/// </summary>
/// <remarks>
/// Content never throws: a dump without a findable panic is recorded in <see cref="WellKnownGroups.NoPanic"/> with the
/// decoder's warnings, and a size or SHA-256 that differs from the message is recorded as a warning. What throws is
/// what a retry can cure (storage or network errors) and a missing dump (<see cref="DumpMissingException"/>), which the
/// host sends to its poison path, where <see cref="RecordFailureAsync"/> records it.
/// </remarks>
public sealed partial class DumpIngestor(
    IDumpReader reader,
    ICrashStore store,
    IEnumerable<IReportPublisher> publishers,
    IEnumerable<IIngestObserver> observers,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<DumpIngestor> logger)
{
    private readonly IngestOptions _options = options.Value;
    private readonly GroupingRules _rules = options.Value.LoadGroupingRules();
    private readonly IReportPublisher[] _publishers = [.. publishers];
    private readonly IIngestObserver[] _observers = [.. observers];

    /// <summary>Ingests one dump. Safe to call again for the same dump id: it is counted once, and a redelivery
    /// re-publishes the first recording's report without reading the dump again.</summary>
    public async Task<CrashReport> IngestAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var clock = Stopwatch.StartNew();
        var result = await FindRecordedAsync(message.DumpId, cancellationToken).ConfigureAwait(false);
        TimeSpan decoding = default;
        if (result is null)
        {
            var (occurrence, decodeTime) = await ReadAsync(message, cancellationToken).ConfigureAwait(false);
            decoding = decodeTime;
            result = await store.RecordAsync(occurrence, cancellationToken).ConfigureAwait(false);
        }

        var report = CrashReport.From(result);
        await DeliverAsync(report, cancellationToken).ConfigureAwait(false);
        LogIngested(report, clock.Elapsed, decoding);
        return report;
    }

    /// <summary>Records a dump that ingest gave up on (the poison queue) as an occurrence marked failed, with the
    /// reason, so it does not disappear; a dump already recorded keeps its recording.</summary>
    public async Task<CrashReport> RecordFailureAsync(IngestMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = await FindRecordedAsync(message.DumpId, cancellationToken).ConfigureAwait(false)
            ?? await store.RecordAsync(OccurrenceBuilder.Failed(message, reason, time.GetUtcNow(), _options), cancellationToken).ConfigureAwait(false);
        var report = CrashReport.From(result);
        await DeliverAsync(report, cancellationToken).ConfigureAwait(false);
        Log.FailureRecorded(logger, message.FileName, message.DumpId, reason);
        return report;
    }

    private async Task<RecordResult?> FindRecordedAsync(Guid dumpId, CancellationToken cancellationToken)
    {
        var recorded = await store.FindOccurrenceAsync(dumpId, cancellationToken).ConfigureAwait(false);
        if (recorded is null)
        {
            return null;
        }

        var group = await store.FindGroupAsync(recorded.GroupId, cancellationToken).ConfigureAwait(false);
        return group is null ? null : new RecordResult(recorded, group, AlreadyRecorded: true);
    }

    private async Task<(Occurrence Occurrence, TimeSpan Decoding)> ReadAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        var dump = await reader.OpenAsync(message, cancellationToken).ConfigureAwait(false);
        await using (dump.ConfigureAwait(false))
        {
            using var verifying = new VerifyingStream(dump);
            var decodeClock = Stopwatch.StartNew();
            var panic = await PanicFileDecoder.DecodeAsync(verifying, _options.DecoderOptions(time), cancellationToken).ConfigureAwait(false);
            var decoding = decodeClock.Elapsed;
            var checks = new List<string>(3);
            if (!message.Complete)
            {
                checks.Add($"the transfer ended before EOF: {message.Reason ?? "no reason recorded"}");
            }

            if (_options.VerifyContent)
            {
                await verifying.DrainAsync(cancellationToken).ConfigureAwait(false);
                if (verifying.BytesRead != message.Size)
                {
                    checks.Add($"size mismatch: the dump is {verifying.BytesRead} bytes, the relay sent {message.Size}");
                }

                var sha256 = verifying.Sha256();
                if (message.Sha256 is not null && !string.Equals(sha256, message.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    checks.Add($"SHA-256 mismatch: the dump hashes to {sha256}, the relay sent {message.Sha256}");
                }
            }

            return (OccurrenceBuilder.Decoded(message, panic, checks, time.GetUtcNow(), _options, _rules), decoding);
        }
    }

    private async Task DeliverAsync(CrashReport report, CancellationToken cancellationToken)
    {
        foreach (var publisher in _publishers)
        {
            await publisher.PublishAsync(report, cancellationToken).ConfigureAwait(false);
        }

        foreach (var observer in _observers)
        {
            await observer.OnRecordedAsync(report, cancellationToken).ConfigureAwait(false);
        }
    }

    private void LogIngested(CrashReport report, TimeSpan total, TimeSpan decoding)
    {
        var group = report.Group;
        if (report.Redelivered)
        {
            Log.Redelivered(logger, report.Occurrence.FileName, group.Id, group.Signature);
        }
        else if (report.Outcome == IngestOutcome.NewGroup)
        {
            Log.NewGroup(logger, group.Signature, group.Id, report.Occurrence.FileName, report.Occurrence.Machine,
                total.TotalMilliseconds, decoding.TotalMilliseconds);
        }
        else
        {
            Log.Counted(logger, report.Outcome == IngestOutcome.Regression ? $"regression ({report.RegressionReason})" : "seen again",
                group.Signature, group.Id, group.Count, group.Machines.Count, report.Occurrence.FileName, total.TotalMilliseconds,
                decoding.TotalMilliseconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "new crash: {Signature} (group {GroupId}) from {FileName}, {Machine}; {TotalMs:F0} ms, decode {DecodeMs:F0} ms")]
        public static partial void NewGroup(ILogger logger, string signature, string groupId, string fileName, string machine, double totalMs, double decodeMs);

        [LoggerMessage(2, LogLevel.Information, "crash {What}: {Signature} (group {GroupId}) count {Count}, {Machines} Macs, from {FileName}; {TotalMs:F0} ms, decode {DecodeMs:F0} ms")]
        public static partial void Counted(ILogger logger, string what, string signature, string groupId, long count, int machines, string fileName, double totalMs, double decodeMs);

        [LoggerMessage(3, LogLevel.Information, "{FileName} was already recorded in group {GroupId} ({Signature}); its report was sent again")]
        public static partial void Redelivered(ILogger logger, string fileName, string groupId, string signature);

        [LoggerMessage(4, LogLevel.Warning, "ingest gave up on {FileName} ({DumpId}): {Reason}; recorded as failed")]
        public static partial void FailureRecorded(ILogger logger, string fileName, Guid dumpId, string reason);
    }
}
