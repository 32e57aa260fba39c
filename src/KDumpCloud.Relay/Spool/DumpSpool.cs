using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using KDumpCloud.Relay.Options;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// The relay's data directory: <c>dumps/</c> holds each dump under the name the Mac sent, <c>journal/</c> holds
/// one <see cref="DumpJournal"/> per dump. Nothing is ever written outside these two folders.
/// </summary>
/// <remarks>
/// fsync policy: DATA payloads are gathered in 64 KiB per transfer (<see cref="DumpWriter"/>) and written when that
/// fills, at a SEEK elsewhere, after 2 s of silence and at every end of the transfer, so a relay crash mid-transfer
/// loses at most the last 64 KiB of a dump the crash leaves incomplete anyway. The file is fsynced before the final
/// ACK and the final journal is fsynced before it replaces the old one. The rename itself is not fsynced (that
/// would need the directory opened, which .NET does not offer), so after a power cut recovery may record a dump
/// that was complete as incomplete, with its bytes and hash intact, never the reverse. The first journal is not fsynced: if it is lost,
/// recovery finds the file without a journal and records it as incomplete.
/// </remarks>
public sealed class DumpSpool
{
    private const string JournalSuffix = ".json";
    private const string TemporarySuffix = ".tmp";
    private readonly ConcurrentDictionary<Task, byte> _hashing = new();
    private long _usedBytes;
    private long _availableDiskBytes;
    private long _freeSpaceReadAt = long.MinValue / 2;

    public DumpSpool(IOptions<RelayOptions> options)
    {
        var root = Path.GetFullPath(options.Value.DataDirectory);
        DumpsDirectory = EnsureRealDirectory(Path.Combine(root, "dumps"));
        JournalDirectory = EnsureRealDirectory(Path.Combine(root, "journal"));
        _usedBytes = new DirectoryInfo(DumpsDirectory).EnumerateFiles().Sum(file => file.Length);
    }

    public string DumpsDirectory { get; }

    public string JournalDirectory { get; }

    /// <summary>Bytes the dumps take now, counting transfers in progress.</summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

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

    public string JournalPath(string fileName) => Path.Combine(JournalDirectory, fileName + JournalSuffix);

    /// <summary>Counts <paramref name="bytes"/> more against the spool unless that would pass <paramref name="quota"/>;
    /// atomic, so transfers growing at once never overshoot it together.</summary>
    public bool TryReserve(long bytes, long quota)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _usedBytes);
            if (used + bytes > quota)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _usedBytes, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Creates the dump file exclusively (O_CREAT|O_EXCL): an existing file, directory or symlink, dangling or not,
    /// is never opened or followed. Returns null when the name is taken.
    /// </summary>
    public SafeFileHandle? TryCreateDump(string fileName)
    {
        try
        {
            return File.OpenHandle(DumpPath(fileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (IOException) when (File.Exists(DumpPath(fileName)) || Directory.Exists(DumpPath(fileName)) || IsLink(DumpPath(fileName)))
        {
            return null;
        }
    }

    public void WriteJournal(DumpJournal journal, bool durable)
    {
        var path = JournalPath(journal.FileName);
        var temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, journal, DumpJournalJsonContext.Default.DumpJournal);
            if (durable)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    public DumpJournal? ReadJournal(string fileName)
    {
        var path = JournalPath(fileName);
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, DumpJournalJsonContext.Default.DumpJournal);
    }

    /// <summary>The names of every dump in the spool, and of every journal whose dump is missing.</summary>
    internal IEnumerable<string> EnumerateNames()
    {
        var dumps = Directory.EnumerateFiles(DumpsDirectory).Select(Path.GetFileName).OfType<string>();
        var journals = Directory.EnumerateFiles(JournalDirectory, "*" + JournalSuffix)
            .Select(path => Path.GetFileName(path)[..^JournalSuffix.Length]);
        return dumps.Union(journals, StringComparer.Ordinal);
    }

    /// <summary>Removes journal temporaries that a stop left behind before their rename.</summary>
    internal void DeleteTemporaryJournals()
    {
        foreach (var leftover in Directory.EnumerateFiles(JournalDirectory, "*" + TemporarySuffix))
        {
            File.Delete(leftover);
        }
    }

    /// <summary>Hashes a finished dump off the transfer's thread and records the hash in its journal. A relay that
    /// stops before it is done leaves the hash to <see cref="SpoolRecovery"/>.</summary>
    public void RecordHashInBackground(DumpJournal finished)
    {
        var hashing = Task.Run(() =>
        {
            try
            {
                WriteJournal(finished with { Sha256 = HashFile(DumpPath(finished.FileName)) }, durable: true);
            }
            catch (IOException)
            {
                // Recovery hashes it at the next start.
            }
        });
        _hashing[hashing] = 0;
        hashing.ContinueWith(done => _hashing.TryRemove(done, out _), TaskScheduler.Default);
    }

    /// <summary>Waits for the hashes still being computed, so that a stopping relay leaves finished journals.</summary>
    public Task WaitForHashesAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_hashing.Keys).WaitAsync(cancellationToken);

    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

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
}
