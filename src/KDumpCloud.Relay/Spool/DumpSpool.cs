using System.Collections.Concurrent;
using System.Security.Cryptography;
using KDumpCloud.Relay.Options;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// The relay's data directory: <c>dumps/</c> holds each dump under the name the Mac sent, <c>journal/</c> holds
/// one <see cref="DumpJournal"/> per dump. Nothing is ever written outside these two folders, every file is created
/// exclusively, and nothing the relay did not create is opened, followed or counted.
/// </summary>
/// <remarks>
/// <para>fsync policy: payloads are gathered in 64 KiB per transfer (<see cref="DumpWriter"/>) and written when that
/// fills, at a SEEK elsewhere, after 2 s of silence and at every end of the transfer, so a relay crash mid-transfer
/// loses at most the last 64 KiB of a dump the crash leaves incomplete anyway. Writeback starts every 8 MiB, so the
/// fsync before the final ACK has little left to write. The final ACK is sent only after the file, its final journal
/// and the journal directory are synced: an acknowledged dump is recorded complete across a power cut. The first
/// journal is not synced; if it is lost, recovery finds the file without a journal and records it as incomplete.</para>
/// <para>Quota: a dump counts the bytes it can really occupy (see <c>TransferSession.StoredBytesBound</c>, and its
/// allocated blocks once finished), not its length, so SEEK holes cost no quota; holes are bounded separately.</para>
/// </remarks>
public sealed class DumpSpool : IDisposable
{
    private readonly ConcurrentDictionary<Guid, DumpRecord> _records = new();
    private readonly ConcurrentDictionary<string, DumpRecord> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SpoolSubscription, byte> _subscriptions = new();
    private readonly ILogger<DumpSpool> _logger;
    private long _usedBytes;
    private long _availableDiskBytes;
    private long _freeSpaceReadAt = long.MinValue / 2;
    private long _vanishedCheckAt = long.MinValue / 2;

    public DumpSpool(IOptions<RelayOptions> options, ILogger<DumpSpool> logger)
    {
        _logger = logger;
        var root = Path.GetFullPath(options.Value.DataDirectory);
        DumpsDirectory = EnsureRealDirectory(Path.Combine(root, "dumps"));
        JournalDirectory = EnsureRealDirectory(Path.Combine(root, "journal"));
        Journals = new JournalFiles(JournalDirectory);
        Background = new SpoolBackgroundWork(SaveUnsavedJournals, logger);
    }

    public string DumpsDirectory { get; }

    public string JournalDirectory { get; }

    internal JournalFiles Journals { get; }

    internal SpoolBackgroundWork Background { get; }

    /// <summary>Bytes the dumps take now, counting transfers in progress; shrinks when a dump is released or
    /// deleted by hand.</summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>How many dumps the spool holds (in progress or finished).</summary>
    public int Count => _records.Count;

    /// <summary>Raised when a request or a write was refused for want of space (<c>Relay:SpoolQuotaBytes</c> or
    /// <c>Relay:MinFreeDiskBytes</c>), so retention can free some at once rather than at its next pass.</summary>
    public SpoolSignal ShortOfSpace { get; } = new();

    /// <summary>Raised when a later stage changed a dump's journal (<see cref="UpdateJournal"/>), e.g. the uploader
    /// recorded its message sent, which may make the dump one retention can remove.</summary>
    public SpoolSignal JournalChanged { get; } = new();

    /// <summary>Free space on the spool's disk, read at most once a second: a WRQ must be answered in well under
    /// a millisecond, and a second-old figure is as good for a 1 GiB reserve.</summary>
    public long AvailableDiskBytes
    {
        get
        {
            var now = Environment.TickCount64;
            if (now - Volatile.Read(ref _freeSpaceReadAt) >= 1000)
            {
                Volatile.Write(ref _availableDiskBytes, new DriveInfo(DumpsDirectory).AvailableFreeSpace);
                Volatile.Write(ref _freeSpaceReadAt, now);
            }

            return Volatile.Read(ref _availableDiskBytes);
        }
    }

    public string DumpPath(string fileName) => Path.Combine(DumpsDirectory, fileName);

    public string JournalPath(string fileName) => Journals.PathOf(fileName);

    /// <summary>The journal on disk for <paramref name="fileName"/>, or null when there is none or it is not one the
    /// relay wrote.</summary>
    public DumpJournal? ReadJournal(string fileName) => Journals.TryRead(fileName, out _);

    /// <summary>Every dump the spool holds now, each with its progress; a consumer catches up from this at start
    /// and after its subscription overflowed.</summary>
    public IReadOnlyList<DumpProgress> Snapshot() => [.. _records.Values.Select(record => record.Progress)];

    /// <summary>The dump with this id's latest journal, or null if the spool does not hold it.</summary>
    public DumpJournal? Find(Guid dumpId) => _records.TryGetValue(dumpId, out var record) ? record.Journal : null;

    /// <summary>Bytes the dump with this id counts against the quota (what its file occupies once finished), or 0
    /// if the spool does not hold it.</summary>
    public long ChargedBytesOf(Guid dumpId) => _records.TryGetValue(dumpId, out var record) ? record.ChargedBytes : 0;

    /// <summary>Starts a feed of dumps as they begin; see <see cref="SpoolSubscription"/>.</summary>
    public SpoolSubscription Subscribe()
    {
        var subscription = new SpoolSubscription(ended => _subscriptions.TryRemove(ended, out _));
        _subscriptions[subscription] = 0;
        return subscription;
    }

    /// <summary>
    /// Changes the journal of a dump (a later stage records its own state there), through the dump's single writer,
    /// durably. Returns false when the spool does not hold the dump; throws when the disk refused the write (the
    /// change is kept and retried in the background).
    /// </summary>
    /// <exception cref="IOException">The journal could not be written now.</exception>
    public bool UpdateJournal(Guid dumpId, Func<DumpJournal, DumpJournal> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!_records.TryGetValue(dumpId, out var record))
        {
            return false;
        }

        var error = record.Update(journal => change(journal) with { DumpId = journal.DumpId, FileName = journal.FileName }, durable: true);

        // Even when the write failed: the change is kept (and retried), and Find already returns it.
        JournalChanged.Raise();
        return error is null ? true : throw error;
    }

    /// <summary>
    /// Deletes a finished dump and its journal once later stages are done with it, and frees its quota. Refused
    /// while the dump is still arriving or not yet hashed. Logged at Debug: the caller reports what it released.
    /// </summary>
    /// <exception cref="IOException">A file could not be deleted now; the dump stays in the spool, and a later call
    /// deletes what is left.</exception>
    /// <exception cref="UnauthorizedAccessException">As for <see cref="IOException"/>.</exception>
    public bool TryRelease(Guid dumpId, out string? problem)
    {
        if (!_records.TryGetValue(dumpId, out var record))
        {
            problem = "the spool does not hold this dump";
            return false;
        }

        if (!record.Progress.IsFinished)
        {
            problem = "the dump is still arriving or being hashed";
            return false;
        }

        Remove(record, "released", LogLevel.Debug);
        problem = null;
        return true;
    }

    /// <summary>Counts <paramref name="bytes"/> more for <paramref name="record"/> unless the spool would pass
    /// <paramref name="quota"/>; atomic, so transfers growing at once never overshoot it together.</summary>
    internal bool TryCharge(DumpRecord record, long bytes, long quota)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _usedBytes);
            if (used + bytes > quota)
            {
                ShortOfSpace.Raise();
                CheckForVanishedDumpsSoon();
                return false;
            }

            if (Interlocked.CompareExchange(ref _usedBytes, used + bytes, used) == used)
            {
                record.ChargedBytes += bytes;
                return true;
            }
        }
    }

    /// <summary>Sets <paramref name="record"/>'s charge to what its file really occupies, once it is finished.</summary>
    internal void Recharge(DumpRecord record, long bytes)
    {
        var previous = record.ChargedBytes;
        record.ChargedBytes = bytes;
        Interlocked.Add(ref _usedBytes, bytes - previous);
    }

    /// <summary>Creates the dump file exclusively (O_CREAT|O_EXCL: an existing file, directory or symlink, dangling
    /// or not, is never opened or followed) and registers the dump. Returns null when the name is taken.</summary>
    /// <exception cref="IOException">The file could not be created (permissions, disk).</exception>
    internal SpoolDump? TryCreateDump(DumpJournal journal, long quota)
    {
        var path = DumpPath(journal.FileName);
        if (_byName.ContainsKey(journal.FileName))
        {
            return null;
        }

        Microsoft.Win32.SafeHandles.SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (IOException) when (UnixFiles.Inspect(path, out _, out _) != SpoolEntryKind.Missing)
        {
            return null;
        }

        var record = new DumpRecord(journal, Journals, writtenLength: 0);
        if (!_byName.TryAdd(journal.FileName, record))
        {
            file.Dispose();
            return null;
        }

        _records[record.DumpId] = record;
        foreach (var subscription in _subscriptions.Keys)
        {
            subscription.Publish(record.Progress);
        }

        return new SpoolDump(this, record, file, quota);
    }

    /// <summary>Registers a dump found at start (recovery), charged with what its file occupies.</summary>
    internal DumpRecord Adopt(DumpJournal journal, long chargedBytes)
    {
        var record = new DumpRecord(journal, Journals, journal.FileLength) { ChargedBytes = chargedBytes };
        _records[record.DumpId] = record;
        _byName[record.FileName] = record;
        Interlocked.Add(ref _usedBytes, chargedBytes);
        return record;
    }

    /// <summary>Deletes a dump that ended with nothing in it, so a request that came to nothing leaves no file.</summary>
    internal void Discard(DumpRecord record) => Remove(record, "discarded");

    /// <summary>Hashes a finished dump on the background thread and records the hash in its journal.</summary>
    internal void HashInBackground(DumpRecord record) =>
        Background.Enqueue($"hashing {record.FileName}", cancellation => Hash(record, cancellation));

    /// <summary>Stops taking background work and lets what is queued (hashes, journal retries) finish while the host
    /// allows; what is left, recovery does at the next start.</summary>
    public Task StopBackgroundWorkAsync(CancellationToken cancellationToken) => Background.StopAsync(cancellationToken);

    private void Hash(DumpRecord record, CancellationToken cancellation)
    {
        if (record.IsReleased)
        {
            return;
        }

        using var file = UnixFiles.TryOpenOwnedFile(DumpPath(record.FileName), out var problem);
        if (file is null)
        {
            Log.DumpNotHashed(_logger, record.FileName, problem);
            record.Progress.OnNotHashable();
            return;
        }

        var sha256 = HashFile(file, cancellation);
        if (record.Update(journal => journal with { Sha256 = sha256 }, durable: true) is { } error)
        {
            Log.JournalWriteFailed(_logger, record.FileName, error);
        }

        record.Progress.OnHashed(sha256);
    }

    /// <summary>SHA-256 of a file, read in 1 MiB pieces, checking <paramref name="cancellation"/> between them. Its
    /// cost is bounded by the dump's size and hole limits.</summary>
    internal static string HashFile(Microsoft.Win32.SafeHandles.SafeFileHandle file, CancellationToken cancellation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(file, buffer, offset)) > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                offset += read;
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Remove(DumpRecord record, string why, LogLevel level = LogLevel.Information)
    {
        record.Release(() =>
        {
            DeleteOwned(DumpPath(record.FileName));
            DeleteOwned(Journals.PathOf(record.FileName));
        });
        _records.TryRemove(record.DumpId, out _);
        _byName.TryRemove(new KeyValuePair<string, DumpRecord>(record.FileName, record));
        Recharge(record, 0);
        Log.DumpRemoved(_logger, level, record.FileName, why);
    }

    private static void DeleteOwned(string path)
    {
        // Only what the relay made: a link or directory someone put in its place is left for a person to look at.
        if (UnixFiles.Inspect(path, out _, out _) is SpoolEntryKind.OwnedFile or SpoolEntryKind.HardLinkedFile)
        {
            File.Delete(path);
        }
    }

    private void SaveUnsavedJournals()
    {
        foreach (var record in _records.Values)
        {
            if (record.IsUnsaved && record.TrySaveUnsaved())
            {
                Log.JournalSavedLate(_logger, record.FileName);
            }
        }
    }

    /// <summary>When the quota refuses a dump, dumps deleted by hand may be why the figure is stale: at most every
    /// 10 s, look (off the listener's thread) for finished dumps whose file is gone, and forget them.</summary>
    private void CheckForVanishedDumpsSoon()
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _vanishedCheckAt);
        if (now - last < 10_000 || Interlocked.CompareExchange(ref _vanishedCheckAt, now, last) != last)
        {
            return;
        }

        Background.Enqueue("looking for dumps deleted by hand", cancellation =>
        {
            foreach (var record in _records.Values)
            {
                cancellation.ThrowIfCancellationRequested();
                if (record.Progress.IsFinished && UnixFiles.Inspect(DumpPath(record.FileName), out _, out _) == SpoolEntryKind.Missing)
                {
                    Remove(record, "its file was deleted by hand");
                }
            }
        });
    }

    private static string EnsureRealDirectory(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.Exists && info.LinkTarget is not null)
        {
            throw new InvalidOperationException($"{path} is a symbolic link; the spool must be a real directory.");
        }

        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose() => Background.Dispose();
}
