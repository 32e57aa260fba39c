using System.Diagnostics;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Telemetry;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Model;
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
    ILogger<DumpIngestor> logger,
    IngestMetrics? metrics = null)
{
    private readonly IngestOptions _options = options.Value;
    private readonly GroupingRules _rules = options.Value.LoadGroupingRules();
    private readonly IReportPublisher[] _publishers = [.. publishers];
    private readonly IIngestObserver[] _observers = [.. observers];
    private readonly IngestMetrics _metrics = metrics ?? IngestMetrics.Shared;

    /// <summary>Ingests one dump. Safe to call again for the same dump id: it is counted once, and a redelivery
    /// re-publishes the first recording's report without reading the dump again.</summary>
    /// <remarks>Traced as <see cref="IngestActivities.Ingest"/>, continuing <see cref="IngestMessage.TraceParent"/>,
    /// with a span per stage; an exception marks the span failed before it reaches the host.</remarks>
    public async Task<CrashReport> IngestAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var clock = Stopwatch.StartNew();
        using var activity = IngestActivities.StartIngest(message);
        try
        {
            var result = await FindRecordedAsync(message.DumpId, cancellationToken).ConfigureAwait(false);
            TimeSpan decoding = default;
            IReadOnlyList<string> failedChecks = [];
            if (result is null)
            {
                var read = await ReadAsync(message, cancellationToken).ConfigureAwait(false);
                decoding = read.Decoding;
                failedChecks = read.FailedChecks;
                using var stage = IngestStage.Start(_metrics, IngestTags.Stages.Record);
                result = await store.RecordAsync(read.Occurrence, cancellationToken).ConfigureAwait(false);
                stage.Activity?.SetTag(IngestTags.Outcome, IngestActivities.OutcomeName(CrashReport.From(result)));
            }

            var report = CrashReport.From(result);
            IngestActivities.Recorded(activity, report);
            if (!report.Redelivered && FailureOf(report, failedChecks) is { } reason)
            {
                IngestActivities.Fail(activity, reason, errorType: report.Occurrence.Status == OccurrenceStatus.NoPanic ? "no_panic" : "dump_mismatch");
            }

            await DeliverAsync(report, cancellationToken).ConfigureAwait(false);
            _metrics.Ingested(report, clock.Elapsed);
            LogIngested(report, clock.Elapsed, decoding);
            return report;
        }
        catch (Exception error)
        {
            IngestActivities.Fail(activity, error.Message, error);
            _metrics.Failed(error, clock.Elapsed);
            throw;
        }
    }

    /// <summary>Records a dump that ingest gave up on (the poison queue) as an occurrence marked failed, with the
    /// reason, so it does not disappear; a dump already recorded keeps its recording.</summary>
    /// <remarks>Traced as <see cref="IngestActivities.Poison"/> in the dump's trace, marked failed with the reason.</remarks>
    public async Task<CrashReport> RecordFailureAsync(IngestMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = IngestActivities.StartIngest(message, IngestActivities.Poison);
        IngestActivities.Fail(activity, reason, errorType: "gave_up");
        var result = await FindRecordedAsync(message.DumpId, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            using var stage = IngestStage.Start(_metrics, IngestTags.Stages.Record);
            result = await store.RecordAsync(OccurrenceBuilder.Failed(message, reason, time.GetUtcNow(), _options), cancellationToken).ConfigureAwait(false);
            if (!result.AlreadyRecorded)
            {
                _metrics.PoisonRecorded();
            }
        }

        var report = CrashReport.From(result);
        IngestActivities.Recorded(activity, report);
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

    private async Task<ReadDump> ReadAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        Stream dump;
        using (var stage = IngestStage.Start(_metrics, IngestTags.Stages.Read))
        {
            try
            {
                dump = await reader.OpenAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                IngestActivities.Fail(stage.Activity, error.Message, error);
                throw;
            }
        }

        await using (dump.ConfigureAwait(false))
        {
            using var verifying = new VerifyingStream(dump);
            var (panic, decoding) = await DecodeAsync(verifying, cancellationToken).ConfigureAwait(false);
            var checks = new List<string>(3);
            if (!message.Complete)
            {
                checks.Add($"the transfer ended before EOF: {message.Reason ?? "no reason recorded"}");
            }

            var failedChecks = new List<string>(2);
            if (_options.VerifyContent)
            {
                using var stage = IngestStage.Start(_metrics, IngestTags.Stages.Verify);
                await verifying.DrainAsync(cancellationToken).ConfigureAwait(false);
                if (verifying.BytesRead != message.Size)
                {
                    failedChecks.Add($"size mismatch: the dump is {verifying.BytesRead} bytes, the relay sent {message.Size}");
                }

                var sha256 = verifying.Sha256();
                if (message.Sha256 is not null && !string.Equals(sha256, message.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    failedChecks.Add($"SHA-256 mismatch: the dump hashes to {sha256}, the relay sent {message.Sha256}");
                }

                stage.Activity?.SetTag(IngestTags.BytesRead, verifying.BytesRead);
                if (failedChecks.Count > 0)
                {
                    IngestActivities.Fail(stage.Activity, failedChecks[0], errorType: "dump_mismatch");
                }
            }

            checks.AddRange(failedChecks);
            using var fingerprint = IngestStage.Start(_metrics, IngestTags.Stages.Fingerprint);
            var occurrence = OccurrenceBuilder.Decoded(message, panic, checks, time.GetUtcNow(), _options, _rules);
            fingerprint.Activity?.SetTag(IngestTags.Fingerprint, occurrence.Fingerprint);
            fingerprint.Activity?.SetTag(IngestTags.FingerprintVersion, occurrence.FingerprintVersion);
            return new ReadDump(occurrence, decoding, failedChecks);
        }
    }

    /// <summary>Decodes the dump in its one streamed read, as two spans cut at the decoder's last read: extract (the
    /// bytes read, a core scanned and inflated) and decode (the text decoded after). A decode that finds no panic marks
    /// the decode span failed; content never throws.</summary>
    private async Task<(PanicReport Panic, TimeSpan Decoding)> DecodeAsync(VerifyingStream verifying, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var extract = IngestActivities.Source.StartActivity(IngestActivities.Extract);
        PanicReport panic;
        try
        {
            panic = await PanicFileDecoder.DecodeAsync(verifying, _options.DecoderOptions(time), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            IngestActivities.Fail(extract, error.Message, error);
            extract?.Dispose();
            throw;
        }

        var ended = Stopwatch.GetTimestamp();
        var lastRead = verifying.LastReadAt is var at && at > started && at < ended ? at : ended;
        var extracting = Stopwatch.GetElapsedTime(started, lastRead);
        var decoding = Stopwatch.GetElapsedTime(lastRead, ended);
        _metrics.Stage(IngestTags.Stages.Extract, extracting);
        _metrics.Stage(IngestTags.Stages.Decode, decoding);
        if (extract is not null)
        {
            extract.SetTag(IngestTags.BytesRead, verifying.BytesRead);
            extract.SetTag(IngestTags.Container, panic.Container.ToString());
            extract.SetEndTime(extract.StartTimeUtc + extracting);
            extract.Dispose();
            using var decode = IngestActivities.Source.StartActivity(IngestActivities.Decode, ActivityKind.Internal, parentContext: default,
                tags: null, links: null, startTime: extract.StartTimeUtc + extracting);
            if (decode is not null)
            {
                decode.SetTag(IngestTags.Warnings, panic.Warnings.Count);
                if (!OccurrenceBuilder.FoundPanic(panic))
                {
                    IngestActivities.Fail(decode, NoPanicReason(panic), errorType: "no_panic");
                }
            }
        }

        return (panic, Stopwatch.GetElapsedTime(started, ended));
    }

    private static string NoPanicReason(PanicReport panic) =>
        panic.Warnings.Count > 0 ? $"no panic found in the dump ({panic.Container}): {panic.Warnings[0]}" : $"no panic found in the dump ({panic.Container})";

    /// <summary>Why a recorded dump counts as failed on its span: no panic in it, or a size or hash that differs.</summary>
    private static string? FailureOf(CrashReport report, IReadOnlyList<string> failedChecks) =>
        report.Occurrence.Status == OccurrenceStatus.NoPanic
            ? report.Occurrence.Warnings.Count > 0 ? $"no panic found: {report.Occurrence.Warnings[0]}" : "no panic found"
            : failedChecks.Count > 0 ? failedChecks[0] : null;

    private async Task DeliverAsync(CrashReport report, CancellationToken cancellationToken)
    {
        foreach (var publisher in _publishers)
        {
            using var stage = IngestStage.Start(_metrics, IngestTags.Stages.Publish, ActivityKind.Producer);
            try
            {
                await publisher.PublishAsync(report, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                IngestActivities.Fail(stage.Activity, error.Message, error);
                throw;
            }
        }

        foreach (var observer in _observers)
        {
            await observer.OnRecordedAsync(report, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record ReadDump(Occurrence Occurrence, TimeSpan Decoding, IReadOnlyList<string> FailedChecks);

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
