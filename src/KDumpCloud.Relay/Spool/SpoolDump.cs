using Microsoft.Win32.SafeHandles;

namespace KDumpCloud.Relay.Spool;

/// <summary>Why a payload was not stored.</summary>
internal enum WriteFailure
{
    None,

    /// <summary>The spool quota would be passed.</summary>
    QuotaFull,

    /// <summary>The file could not be written (disk full, I/O error).</summary>
    WriteFailed,
}

/// <summary>
/// A transfer's hold on the dump it is writing: the file (through <see cref="DumpWriter"/>), the dump's quota charge
/// and its journal. All of a transfer's disk I/O goes through here, on the transfer's own thread; the transfer owns
/// the socket and the protocol, this owns the bytes.
/// </summary>
internal sealed class SpoolDump : IDisposable
{
    private readonly DumpSpool _spool;
    private readonly DumpWriter _writer;
    private readonly long _quota;
    private bool _closed;

    public SpoolDump(DumpSpool spool, DumpRecord record, SafeFileHandle file, long quota)
    {
        _spool = spool;
        Record = record;
        _quota = quota;
        _writer = new DumpWriter(file, record.Progress);
    }

    public DumpRecord Record { get; }

    /// <summary>Writes the first journal ("receiving"), not synced: if it is lost, recovery finds the file without
    /// one and records it as incomplete.</summary>
    public IOException? RecordStart() => Record.Update(journal => journal, durable: false);

    /// <summary>Charges the quota up to <paramref name="storedBytesBound"/> (what the dump can occupy once this
    /// payload is in) and stores the payload.</summary>
    public WriteFailure TryWrite(ReadOnlySpan<byte> payload, long offset, bool rewrites, long storedBytesBound, out IOException? error)
    {
        error = null;
        var more = storedBytesBound - Record.ChargedBytes;
        if (more > 0 && !_spool.TryCharge(Record, more, _quota))
        {
            return WriteFailure.QuotaFull;
        }

        try
        {
            _writer.Write(payload, offset, rewrites);
            return WriteFailure.None;
        }
        catch (IOException failure)
        {
            error = failure;
            return WriteFailure.WriteFailed;
        }
    }

    /// <summary>Puts gathered payloads in the file when the Mac goes quiet; a failure is retried at the next
    /// flush, and the journal records what did reach the disk.</summary>
    public void FlushQuietly()
    {
        try
        {
            _writer.Flush();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// EOF: syncs the file, then records the dump complete in a synced journal. Only when this returns null may the
    /// final ACK be sent; on an error nothing is recorded as complete, and the caller may try again (the Mac
    /// retransmits its EOF).
    /// </summary>
    public IOException? TryComplete(Func<DumpJournal, DumpJournal> final)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        long length;
        try
        {
            _writer.FlushToDisk();
            length = _writer.FileLength;
        }
        catch (IOException error)
        {
            return error;
        }

        if (Record.Update(journal => final(journal) with { State = DumpState.Complete, Reason = null, FileLength = length }, durable: true) is { } failed)
        {
            return failed;
        }

        Finished(DumpState.Complete, length);
        return null;
    }

    /// <summary>
    /// Ends the dump incomplete, keeping what arrived. A dump that received nothing is deleted with its journal, so a
    /// request that came to nothing leaves no file. Returns the journal error, if any (the spool retries it).
    /// </summary>
    public IOException? EndIncomplete(string reason, Func<DumpJournal, DumpJournal> final, out bool discarded)
    {
        discarded = false;
        if (_closed)
        {
            // Already ended (complete or not): the journal says how.
            return null;
        }

        long length;
        try
        {
            _writer.FlushToDisk();
            length = _writer.FileLength;
        }
        catch (IOException)
        {
            length = SafeLength();
        }

        if (length == 0 && Record.Progress.WrittenLength == 0)
        {
            Close();
            _spool.Discard(Record);
            discarded = true;
            return null;
        }

        var error = Record.Update(journal => final(journal) with { State = DumpState.Incomplete, Reason = reason, FileLength = length }, durable: true);
        Finished(DumpState.Incomplete, length);
        return error;
    }

    private void Finished(DumpState state, long length)
    {
        var allocated = SafeAllocated(length);
        Close();
        _spool.Recharge(Record, allocated);
        Record.Progress.OnEnded(state, length);
        _spool.HashInBackground(Record);
    }

    private long SafeLength()
    {
        try
        {
            return _writer.FileLength;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private long SafeAllocated(long length)
    {
        try
        {
            return _writer.AllocatedBytes;
        }
        catch (IOException)
        {
            return length;
        }
    }

    /// <summary>Lets go of the file, so deleting the dump frees its space at once.</summary>
    private void Close()
    {
        if (!_closed)
        {
            _closed = true;
            _writer.Dispose();
        }
    }

    public void Dispose() => Close();
}
