namespace KDumpCloud.Relay.Spool;

/// <summary>
/// One dump in the spool, keyed by its dump id: the only writer of its journal, so that the transfer, the hasher
/// and later stages (the uploader) each change their own fields of the latest state and never overwrite one
/// another's. A write that fails (disk full) keeps the change in memory and is tried again in the background until
/// it lands, so the journal ends up saying what really happened.
/// </summary>
internal sealed class DumpRecord
{
    private readonly Lock _gate = new();
    private readonly JournalFiles _files;
    private DumpJournal _journal;
    private bool _unsaved;
    private long _chargedBytes;

    public DumpRecord(DumpJournal journal, JournalFiles files, long writtenLength)
    {
        _journal = journal;
        _files = files;
        Progress = new DumpProgress(journal.DumpId, journal.FileName, journal.State, writtenLength, journal.Sha256);
    }

    public Guid DumpId => Progress.DumpId;

    public string FileName => Progress.FileName;

    public DumpProgress Progress { get; }

    public DumpJournal Journal
    {
        get
        {
            lock (_gate)
            {
                return _journal;
            }
        }
    }

    /// <summary>A change is waiting for the disk to take it.</summary>
    public bool IsUnsaved
    {
        get
        {
            lock (_gate)
            {
                return _unsaved;
            }
        }
    }

    /// <summary>Bytes counted against the spool quota for this dump.</summary>
    public long ChargedBytes
    {
        get => Interlocked.Read(ref _chargedBytes);
        set => Interlocked.Exchange(ref _chargedBytes, value);
    }

    /// <summary>Released from the spool: its files are gone and nothing may write its journal again.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>Applies <paramref name="change"/> to the latest journal and writes it (synced when
    /// <paramref name="durable"/>). Returns the error when the write failed; the change is kept and retried.</summary>
    public IOException? Update(Func<DumpJournal, DumpJournal> change, bool durable)
    {
        lock (_gate)
        {
            if (IsReleased)
            {
                return null;
            }

            _journal = change(_journal);
            return Save(durable);
        }
    }

    /// <summary>Writes a change that failed before; true when nothing is left unsaved.</summary>
    public bool TrySaveUnsaved()
    {
        lock (_gate)
        {
            return IsReleased || !_unsaved || Save(durable: true) is null;
        }
    }

    /// <summary>Runs <paramref name="release"/> (which deletes the files) under the journal's lock, so no write can
    /// recreate the journal afterwards.</summary>
    public void Release(Action release)
    {
        lock (_gate)
        {
            release();
            IsReleased = true;
        }
    }

    private IOException? Save(bool durable)
    {
        try
        {
            _files.Write(_journal, durable);
            _unsaved = false;
            return null;
        }
        catch (IOException error)
        {
            _unsaved = true;
            return error;
        }
    }
}
