using System.Diagnostics;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// Uploads every dump in the spool to a block blob while it arrives, then sends one ingest message for it. It follows
/// the spool's record of written bytes (<see cref="DumpProgress"/>) and never touches the transfer's path: it reads
/// the file through a handle of its own. Dumps that were in the spool before it started (a restart, or uploading
/// turned on later) are taken from the spool's snapshot.
/// </summary>
/// <remarks>
/// <para>Per dump: each full block is staged as soon as the transfer has written past its end; a block a SEEK rewrote
/// after it was staged is staged again; once the dump is finished (ended and hashed) the last block is staged and the
/// list committed (only if the blob does not exist yet), then the message is sent. The journal records
/// <see cref="UploadStates.Staging"/>, <see cref="UploadStates.Committed"/> and <see cref="UploadStates.Sent"/>, so a
/// restart neither commits nor sends twice. Known gap: a crash between sending the message and recording it sends a
/// second message after the restart; the ingest side deduplicates on the dump id.</para>
/// <para>Failures: the SDK retries each call, under a whole-operation timeout and one circuit breaker for all dumps
/// (<see cref="StorageResilience"/>). When the account is out of reach and the circuit is open, the dump just waits
/// for it (one log line for all dumps, from the breaker); any other failed attempt makes the dump wait (doubling from
/// <see cref="UploadOptions.RetryDelay"/>) and go again from the journal's state. Nothing is deleted.</para>
/// <para>The dumps not yet uploaded and announced are the backlog (<see cref="UploadBacklog"/>), logged while it is
/// not empty.</para>
/// </remarks>
internal sealed class DumpUploader(
    DumpSpool spool,
    UploadStorage storage,
    UploadBacklog backlog,
    RelayActivities activities,
    UploadMetrics metrics,
    IOptions<UploadOptions> options,
    TimeProvider time,
    ILogger<DumpUploader> logger) : BackgroundService
{
    private static readonly TimeSpan StagingRecordInterval = TimeSpan.FromSeconds(1);

    private readonly UploadOptions _options = options.Value;
    private readonly SemaphoreSlim _blockSlots = new(options.Value.MaxParallelBlocks, options.Value.MaxParallelBlocks);
    private readonly SpoolFollower _follower = new(spool);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reporting = backlog.ReportAsync(stoppingToken);
        try
        {
            await _follower.FollowAsync(
                wanted: static _ => true,
                work: UploadAndReportAsync,
                caughtUp: taken => Log.UploaderStarted(logger, storage.ContainerUri, storage.QueueUri, _options.BlockSizeBytes, taken),
                stoppingToken);
        }
        finally
        {
            await reporting;
        }
    }

    private async Task UploadAndReportAsync(DumpProgress progress, CancellationToken stoppingToken)
    {
        backlog.Add(progress, spool.Find(progress.DumpId)?.StartedAt);
        await UploadWithRetriesAsync(progress, stoppingToken);
        if (!stoppingToken.IsCancellationRequested)
        {
            backlog.Remove(progress.DumpId);
        }
    }

    private async Task UploadWithRetriesAsync(DumpProgress progress, CancellationToken stoppingToken)
    {
        var failures = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await UploadAsync(progress, attempt, stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (DumpUnavailableException error)
            {
                metrics.Failed("dump_unavailable");
                Log.DumpNotUploadable(logger, progress.FileName, error.Message);
                RecordError(progress.DumpId, error.Message);
                return;
            }
            catch (Exception error) when (StorageFailures.IsOutage(error) && storage.IsUnreachable)
            {
                // The account is out of reach and the breaker said so once for all dumps: go again at once, and the
                // first storage call waits for the circuit to close. Not this dump's failure, so no backoff.
                var reason = StorageFailures.Describe(error);
                metrics.Failed("storage_unreachable");
                Log.UploadWaitsForStorage(logger, progress.FileName, reason);
                RecordError(progress.DumpId, reason);
            }
            catch (Exception error)
            {
                var delay = RetryDelay(failures++);
                metrics.Failed("failed");
                Log.UploadFailed(logger, progress.FileName, failures, delay.TotalSeconds, error.Message, error);
                RecordError(progress.DumpId, error.Message);
                try
                {
                    await Task.Delay(delay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan RetryDelay(int failures)
    {
        var doubled = _options.RetryDelay * Math.Pow(2, Math.Min(failures, 20));
        return doubled < _options.MaxRetryDelay ? doubled : _options.MaxRetryDelay;
    }

    /// <summary>One attempt, from whatever state the journal records, under its span: a child of the dump's receive
    /// span (the journal's traceparent), so the trace goes on after a restart too.</summary>
    private async Task UploadAsync(DumpProgress progress, int attempt, CancellationToken cancellationToken)
    {
        var journal = spool.Find(progress.DumpId);
        if (journal is null || journal.Upload?.State == UploadStates.Sent)
        {
            return;
        }

        var blobName = journal.Upload?.Blob ?? BlobNames.For(journal);
        using var span = activities.StartUpload(journal, attempt, blobName);
        try
        {
            await UploadAsync(progress, journal, blobName, span, cancellationToken);
        }
        catch (Exception error) when (span is not null)
        {
            RelayActivities.Fail(span, error, error is OperationCanceledException && cancellationToken.IsCancellationRequested ? "relay_stopped" : null);
            throw;
        }
    }

    private async Task UploadAsync(DumpProgress progress, DumpJournal journal, string blobName, Activity? span, CancellationToken cancellationToken)
    {
        var blob = storage.Blob(blobName);
        await storage.EnsureCreatedAsync(cancellationToken);

        if (journal.Upload?.State == UploadStates.Staging && progress.IsFinished
            && await storage.IsCommittedAsync(blob, journal.DumpId, cancellationToken))
        {
            // Staged and committed by an earlier process or attempt that stopped before journaling the commit.
            Record(progress.DumpId, UploadStates.Committed, blobName, journal.FileLength);
            Log.DumpFoundCommitted(logger, journal.FileName, blobName);
        }
        else if (journal.Upload?.State != UploadStates.Committed)
        {
            var clock = Stopwatch.StartNew();
            var resumeBlocks = await ResumableBlocksAsync(journal, progress, blob, cancellationToken);
            Record(progress.DumpId, UploadStates.Staging, blobName, resumeBlocks * _options.BlockSizeBytes);
            var (length, blocks) = await StageAsync(progress, blob, blobName, resumeBlocks, cancellationToken);
            span?.SetTag(TelemetryTags.Blocks, blocks);
            span?.SetTag(TelemetryTags.ResumedBlocks, resumeBlocks);
            journal = spool.Find(progress.DumpId) ?? throw new DumpUnavailableException("the spool released it while it was uploaded");
            var committedNow = await storage.CommitAsync(blob, BlockIds.All(length, _options.BlockSizeBytes),
                BlobNames.Metadata(journal, _options.RelayHost), cancellationToken);
            var committedAt = time.GetUtcNow();
            Record(progress.DumpId, UploadStates.Committed, blobName, length);
            if (committedNow)
            {
                var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
                var afterEof = journal.FinishedAt is { } finished ? (committedAt - finished).TotalSeconds : double.NaN;
                if (!double.IsNaN(afterEof))
                {
                    span?.SetTag(TelemetryTags.AfterEof, afterEof);
                }

                Log.DumpUploaded(logger, journal.FileName, blobName, length, seconds, length / seconds / 1e6, afterEof,
                    journal.State == DumpState.Complete ? "complete" : "incomplete");
            }
            else
            {
                Log.DumpFoundCommitted(logger, journal.FileName, blobName);
            }
        }

        journal = spool.Find(progress.DumpId) ?? throw new DumpUnavailableException("the spool released it while it was uploaded");
        backlog.Staged(progress.DumpId, journal.FileLength);
        span?.SetTag(TelemetryTags.Bytes, journal.FileLength);

        // The ingest continues the trace from this span (from the receive span's when this one is not traced).
        var message = IngestMessages.For(journal, blob.Uri, _options.RelayHost) with { TraceParent = span?.Id ?? journal.TraceParent };
        await storage.SendAsync(message, cancellationToken);
        Record(progress.DumpId, UploadStates.Sent, blobName, journal.FileLength);
        metrics.Sent();
        Log.IngestMessageSent(logger, journal.FileName, storage.QueueUri);
    }

    /// <summary>
    /// How many leading full blocks an earlier attempt or process already staged, so they are not sent again: those
    /// below the journal's <see cref="DumpUpload.BytesStaged"/> that the service still lists, each at full size. Only
    /// for dumps without SEEKs: a SEEK may have rewritten a staged block just before a crash, before it was staged
    /// again, and then only the file is right (pre-10.11 Mach-O cores are re-staged whole).
    /// </summary>
    private async Task<long> ResumableBlocksAsync(DumpJournal journal, DumpProgress progress,
        Azure.Storage.Blobs.Specialized.BlockBlobClient blob, CancellationToken cancellationToken)
    {
        var blockSize = _options.BlockSizeBytes;
        var recorded = Math.Min(journal.Upload is { State: UploadStates.Staging } upload ? upload.BytesStaged : 0, progress.WrittenLength) / blockSize;
        if (recorded == 0 || journal.Seeks > 0)
        {
            return 0;
        }

        var staged = await storage.StagedBlocksAsync(blob, cancellationToken);
        long resumable = 0;
        while (resumable < recorded && staged.TryGetValue(BlockIds.For(resumable), out var size) && size == blockSize)
        {
            resumable++;
        }

        if (resumable > 0)
        {
            Log.UploadResumed(logger, journal.FileName, resumable, resumable * blockSize);
        }

        return resumable;
    }

    /// <summary>Stages every block of the dump as its bytes arrive; returns the dump's final length once it is
    /// finished and every block, the last partial one included, is staged as it is on disk, and how many blocks this
    /// attempt staged (rewritten ones again).</summary>
    private async Task<(long Length, long Blocks)> StageAsync(DumpProgress progress, Azure.Storage.Blobs.Specialized.BlockBlobClient blob, string blobName,
        long resumeBlocks, CancellationToken cancellationToken)
    {
        using var reader = DumpBlockReader.TryOpen(spool.DumpPath(progress.FileName), out var problem)
            ?? throw new DumpUnavailableException($"its file {problem}");
        var blockSize = _options.BlockSizeBytes;
        long fullBlocksStaged = resumeBlocks;
        long blocksStaged = 0;
        var recordedAt = time.GetTimestamp();
        var toStage = new SortedSet<long>();
        while (true)
        {
            // Finished first: once it is, every write and rewrite has happened, and the take below sees them all.
            var finished = progress.IsFinished;
            foreach (var range in progress.TakeRewrittenRanges())
            {
                for (var block = range.Offset / blockSize; block <= (range.End - 1) / blockSize && block < fullBlocksStaged; block++)
                {
                    toStage.Add(block);
                }
            }

            var written = progress.WrittenLength;
            var fullBlocks = written / blockSize;
            for (var block = fullBlocksStaged; block < fullBlocks; block++)
            {
                toStage.Add(block);
            }

            if (finished && written % blockSize != 0)
            {
                toStage.Add(fullBlocks);
            }

            await StageBlocksAsync(reader, blob, [.. toStage], written, cancellationToken);
            blocksStaged += toStage.Count;
            toStage.Clear();
            fullBlocksStaged = Math.Max(fullBlocksStaged, fullBlocks);
            backlog.Staged(progress.DumpId, finished ? written : fullBlocksStaged * blockSize);
            if (finished)
            {
                return (written, blocksStaged);
            }

            if (time.GetElapsedTime(recordedAt) >= StagingRecordInterval)
            {
                Record(progress.DumpId, UploadStates.Staging, blobName, fullBlocksStaged * blockSize);
                recordedAt = time.GetTimestamp();
            }

            await progress.WaitForChangeAsync(written, cancellationToken);
        }
    }

    private async Task StageBlocksAsync(DumpBlockReader reader, Azure.Storage.Blobs.Specialized.BlockBlobClient blob,
        long[] blocks, long written, CancellationToken cancellationToken)
    {
        var blockSize = _options.BlockSizeBytes;
        await Parallel.ForEachAsync(blocks, new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxParallelBlocks,
            CancellationToken = cancellationToken,
        }, async (block, token) =>
        {
            var offset = block * blockSize;
            var length = (int)Math.Min(blockSize, written - offset);
            await _blockSlots.WaitAsync(token);
            try
            {
                var buffer = await reader.ReadAsync(offset, length, token);
                try
                {
                    await storage.StageBlockAsync(blob, BlockIds.For(block), buffer.AsMemory(0, length), token);
                }
                finally
                {
                    DumpBlockReader.Return(buffer);
                }
            }
            finally
            {
                _blockSlots.Release();
            }
        });
    }

    private void Record(Guid dumpId, string state, string blobName, long bytesStaged) =>
        Change(dumpId, upload => new DumpUpload
        {
            State = state,
            Blob = blobName,
            BytesStaged = bytesStaged,
            UpdatedAt = time.GetUtcNow(),
        });

    private void RecordError(Guid dumpId, string error) =>
        Change(dumpId, upload => upload is null
            ? new DumpUpload { State = UploadStates.Staging, Error = error, UpdatedAt = time.GetUtcNow() }
            : upload with { Error = error, UpdatedAt = time.GetUtcNow() });

    private void Change(Guid dumpId, Func<DumpUpload?, DumpUpload> change)
    {
        try
        {
            if (!spool.UpdateJournal(dumpId, journal => journal with { Upload = change(journal.Upload) }))
            {
                throw new DumpUnavailableException("the spool released it while it was uploaded");
            }
        }
        catch (IOException error)
        {
            // The spool keeps the change and writes it in the background; the upload goes on.
            Log.UploadJournalNotWritten(logger, dumpId, error);
        }
    }
}

/// <summary>A dump that cannot be uploaded at all (its file is gone or not the relay's): not retried.</summary>
internal sealed class DumpUnavailableException(string message) : Exception(message);
