namespace KDumpCloud.Relay.Spool;

/// <summary>
/// Runs once at start, before the listener: every dump a stopped relay left behind gets a truthful journal. A
/// journal still saying "receiving", or a file with no journal at all, becomes "incomplete" with its real length,
/// so later stages never take a half-written dump for a whole one.
/// </summary>
/// <remarks>
/// Start-up does only what is quick (one <c>lstat</c> and at most one small journal read and write per entry);
/// hashing, which can take minutes for large dumps, is queued on the spool's background thread and done while the
/// relay serves, so systemd sees it ready at once. Only regular files with a name the relay could have created are
/// considered: links, directories, devices, FIFOs and hard-linked files are reported and left alone, never opened,
/// followed, hashed or counted.
/// </remarks>
internal sealed class SpoolRecovery(DumpSpool spool, TimeProvider time, ILogger<SpoolRecovery> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        spool.Journals.DeleteTemporaries();
        int complete = 0, incomplete = 0, repaired = 0;
        foreach (var name in EnumerateNames())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (Recover(name))
            {
                case Outcome.Complete:
                    complete++;
                    break;
                case Outcome.Incomplete:
                    incomplete++;
                    break;
                case Outcome.Repaired:
                    repaired++;
                    break;
            }
        }

        Log.SpoolRecovered(logger, spool.DumpsDirectory, complete, incomplete, repaired, spool.UsedBytes);
        if (_hashesQueued > 0)
        {
            Log.SpoolHashesQueued(logger, _hashesQueued);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private enum Outcome
    {
        Skipped,
        Complete,
        Incomplete,
        Repaired,
    }

    private int _hashesQueued;

    private Outcome Recover(string name)
    {
        var dumpPath = spool.DumpPath(name);
        if (!DumpFileNames.TryValidate(name, out _, out var nameProblem))
        {
            Log.SpoolEntrySkipped(logger, "dumps/" + DumpFileNames.ForLog(name), $"not a name the relay creates ({nameProblem})");
            return Outcome.Skipped;
        }

        var dumpKind = UnixFiles.Inspect(dumpPath, out var length, out var allocated);
        if (dumpKind is not (SpoolEntryKind.OwnedFile or SpoolEntryKind.Missing))
        {
            Log.SpoolEntrySkipped(logger, "dumps/" + DumpFileNames.ForLog(name), UnixFiles.Describe(dumpKind));
            return Outcome.Skipped;
        }

        var journalKind = UnixFiles.Inspect(spool.JournalPath(name), out _, out _);
        if (journalKind is not (SpoolEntryKind.OwnedFile or SpoolEntryKind.Missing))
        {
            // The journal's place is taken by something the relay did not make: no truthful record can be kept.
            Log.SpoolEntrySkipped(logger, "journal/" + DumpFileNames.ForLog(name) + JournalFiles.Suffix, UnixFiles.Describe(journalKind));
            return Outcome.Skipped;
        }

        var journal = spool.Journals.TryRead(name, out var journalProblem);
        if (journalProblem is not null)
        {
            Log.SpoolEntrySkipped(logger, "journal/" + DumpFileNames.ForLog(name) + JournalFiles.Suffix, journalProblem + "; rebuilt from the dump");
        }

        var fileExists = dumpKind == SpoolEntryKind.OwnedFile;
        if (!fileExists && journal is null)
        {
            return Outcome.Skipped;
        }

        if (journal is { State: not DumpState.Receiving } && (fileExists || journal.State == DumpState.Incomplete))
        {
            Adopt(journal, allocated, fileExists);
            return journal.State == DumpState.Complete ? Outcome.Complete : Outcome.Incomplete;
        }

        var reason = journal is null
            ? "the relay stopped before the dump's journal was written"
            : fileExists ? "the relay stopped during the transfer, or before it could record how the transfer ended"
            : "the dump file is missing";
        var repairedJournal = (journal ?? new DumpJournal
        {
            DumpId = Guid.CreateVersion7(time.GetUtcNow()),
            FileName = name,
            Client = "unknown",
            State = DumpState.Incomplete,
            StartedAt = time.GetUtcNow(),
        }) with
        {
            State = DumpState.Incomplete,
            Reason = reason,
            FileLength = fileExists ? length : 0,
            Sha256 = null,
            FinishedAt = time.GetUtcNow(),
        };
        var record = Adopt(repairedJournal, allocated, fileExists);
        if (record.Update(current => current, durable: true) is { } error)
        {
            Log.JournalWriteFailed(logger, name, error);
        }

        Log.SpoolDumpRepaired(logger, name, reason, repairedJournal.FileLength);
        return Outcome.Repaired;
    }

    private DumpRecord Adopt(DumpJournal journal, long allocated, bool fileExists)
    {
        var record = spool.Adopt(journal, allocated);
        if (journal.Sha256 is not null)
        {
            return record;
        }

        if (fileExists)
        {
            // The relay stopped between the end of the transfer and the hash, or the dump was just repaired.
            spool.HashInBackground(record);
            _hashesQueued++;
        }
        else
        {
            record.Progress.OnNotHashable();
        }

        return record;
    }

    /// <summary>The names of every entry in <c>dumps/</c>, and of every journal whose dump is missing.</summary>
    private IEnumerable<string> EnumerateNames()
    {
        var dumps = Directory.EnumerateFileSystemEntries(spool.DumpsDirectory).Select(Path.GetFileName).OfType<string>();
        return dumps.Union(spool.Journals.EnumerateNames(), StringComparer.Ordinal);
    }
}
