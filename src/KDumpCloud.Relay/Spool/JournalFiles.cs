using System.Text.Json;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// Reads and replaces the <c>journal/&lt;name&gt;.json</c> files. A journal is written to a temporary file created
/// exclusively (so a link planted at its name is removed, never followed), synced, renamed over the old one (a
/// rename replaces a link at the destination rather than writing through it), and the directory synced, so that a
/// durable write survives a power cut. A failed write leaves no temporary file behind.
/// </summary>
internal sealed class JournalFiles(string directory)
{
    public const string Suffix = ".json";
    private const string TemporarySuffix = ".tmp";

    public string Directory { get; } = directory;

    public string PathOf(string fileName) => Path.Combine(Directory, fileName + Suffix);

    /// <exception cref="IOException">It could not be written (disk full, permissions); the old journal is intact.</exception>
    public void Write(DumpJournal journal, bool durable)
    {
        var path = PathOf(journal.FileName);
        var temporary = path + TemporarySuffix;
        try
        {
            using (var stream = CreateExclusive(temporary))
            {
                JsonSerializer.Serialize(stream, journal, DumpJournalJsonContext.Default.DumpJournal);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw error as IOException ?? new IOException(error.Message, error);
        }

        if (durable)
        {
            UnixFiles.SyncDirectory(Directory);
        }
    }

    /// <summary>The journal of <paramref name="fileName"/>; null when there is none. Only a regular file the relay
    /// owns is read: anything else, or unreadable JSON, is reported through <paramref name="problem"/>.</summary>
    public DumpJournal? TryRead(string fileName, out string? problem)
    {
        using var handle = UnixFiles.TryOpenOwnedFile(PathOf(fileName), out var openProblem);
        if (handle is null)
        {
            problem = UnixFiles.Inspect(PathOf(fileName), out _, out _) == SpoolEntryKind.Missing ? null : openProblem;
            return null;
        }

        if (RandomAccess.GetLength(handle) > MaxJournalBytes)
        {
            problem = $"it is larger than {MaxJournalBytes} bytes";
            return null;
        }

        try
        {
            using var stream = new FileStream(handle, FileAccess.Read);
            var journal = JsonSerializer.Deserialize(stream, DumpJournalJsonContext.Default.DumpJournal);
            problem = journal is null || journal.FileName != fileName ? "it does not describe this dump" : null;
            return problem is null ? journal : null;
        }
        catch (JsonException error)
        {
            problem = $"it is not a valid journal ({error.Message})";
            return null;
        }
    }

    /// <summary>The dump names that have a journal file (regular or not: the caller checks).</summary>
    public IEnumerable<string> EnumerateNames() =>
        System.IO.Directory.EnumerateFileSystemEntries(Directory, "*" + Suffix)
            .Select(path => Path.GetFileName(path)[..^Suffix.Length]);

    /// <summary>Removes temporaries that a stop left behind before their rename.</summary>
    public void DeleteTemporaries()
    {
        foreach (var leftover in System.IO.Directory.EnumerateFileSystemEntries(Directory, "*" + Suffix + TemporarySuffix))
        {
            TryDelete(leftover);
        }
    }

    public void Delete(string fileName) => File.Delete(PathOf(fileName));

    /// <summary>A journal is a few hundred bytes; anything far larger was not written by the relay.</summary>
    private const int MaxJournalBytes = 64 * 1024;

    private static FileStream CreateExclusive(string path)
    {
        try
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (UnixFiles.Inspect(path, out _, out _) is not SpoolEntryKind.Missing and not SpoolEntryKind.Directory)
        {
            // A leftover from a crash, or a planted link: unlinking removes the name, never what a link points at.
            File.Delete(path);
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (UnixFiles.Inspect(path, out _, out _) is not SpoolEntryKind.Missing and not SpoolEntryKind.Directory)
            {
                File.Delete(path);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
    }
}
