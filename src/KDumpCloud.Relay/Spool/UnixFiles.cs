using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KDumpCloud.Relay.Spool;

/// <summary>What an entry in the spool is, as <c>lstat</c> sees it (links are not followed).</summary>
internal enum SpoolEntryKind
{
    Missing,

    /// <summary>A regular file with one link: something the relay can have created.</summary>
    OwnedFile,

    /// <summary>A regular file with more than one name: a hard link may reach outside the spool.</summary>
    HardLinkedFile,
    SymbolicLink,
    Directory,

    /// <summary>A device, FIFO or socket: reading it may never end or never start.</summary>
    Special,
}

/// <summary>The POSIX calls the spool needs and the BCL does not offer: <c>lstat</c>, opening without following a
/// link or blocking on a FIFO, fsync of a directory (so a rename is durable), and starting writeback early.</summary>
internal static partial class UnixFiles
{
    /// <summary>The entry at <paramref name="path"/> itself, never what a link points at.</summary>
    public static SpoolEntryKind Inspect(string path, out long length, out long allocatedBytes)
    {
        length = allocatedBytes = 0;
        if (Syscall.lstat(path, out var status) != 0)
        {
            return SpoolEntryKind.Missing;
        }

        return Classify(status, out length, out allocatedBytes);
    }

    /// <summary>
    /// Opens a file the relay owns for reading: never through a symbolic link (<c>O_NOFOLLOW</c>), never waiting on a
    /// FIFO (<c>O_NONBLOCK</c>), and only when what was opened is a regular file with a single link. Returns null with
    /// the reason otherwise; checking after opening leaves no window to swap the entry.
    /// </summary>
    public static SafeFileHandle? TryOpenOwnedFile(string path, out string problem)
    {
        var descriptor = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC);
        if (descriptor < 0)
        {
            var error = Stdlib.GetLastError();
            problem = error == Errno.ELOOP ? "it is a symbolic link" : $"it cannot be opened ({error})";
            return null;
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        if (Syscall.fstat(descriptor, out var status) != 0)
        {
            handle.Dispose();
            problem = $"it cannot be examined ({Stdlib.GetLastError()})";
            return null;
        }

        var kind = Classify(status, out _, out _);
        if (kind != SpoolEntryKind.OwnedFile)
        {
            handle.Dispose();
            problem = Describe(kind);
            return null;
        }

        problem = string.Empty;
        return handle;
    }

    /// <summary>Bytes the file's blocks take on disk (a hole takes none), at most its length.</summary>
    public static long AllocatedBytes(SafeFileHandle file)
    {
        return Syscall.fstat((int)file.DangerousGetHandle(), out var status) == 0 ? Allocated(status) : RandomAccess.GetLength(file);
    }

    /// <summary>Makes the directory's entries durable: after a rename into it, the new name survives a power cut.</summary>
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static void SyncDirectory(string path)
    {
        var descriptor = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open directory {path} to sync it ({Stdlib.GetLastError()})");
        }

        try
        {
            if (Syscall.fsync(descriptor) != 0)
            {
                throw new IOException($"cannot sync directory {path} ({Stdlib.GetLastError()})");
            }
        }
        finally
        {
            Syscall.close(descriptor);
        }
    }

    /// <summary>
    /// Waits for the writeback started last time, then starts writing back whatever else is dirty, without waiting
    /// for it (Linux <c>sync_file_range(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE)</c> over the whole
    /// file), so that the fsync before a large dump's final ACK finds little left to write, and a disk slower than
    /// the network slows the Mac rather than piling up dirty pages. Elsewhere it does nothing: the final fsync then
    /// does all the work.
    /// </summary>
    public static void StartWriteback(SafeFileHandle file)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = SyncFileRange((int)file.DangerousGetHandle(), 0, 0, SyncFileRangeWaitBefore | SyncFileRangeWrite);
        }
    }

    public static string Describe(SpoolEntryKind kind) => kind switch
    {
        SpoolEntryKind.Missing => "it is missing",
        SpoolEntryKind.HardLinkedFile => "it has other hard links, which may be outside the spool",
        SpoolEntryKind.SymbolicLink => "it is a symbolic link",
        SpoolEntryKind.Directory => "it is a directory",
        SpoolEntryKind.Special => "it is a device, FIFO or socket",
        _ => "it is a regular file",
    };

    private static SpoolEntryKind Classify(Stat status, out long length, out long allocatedBytes)
    {
        length = status.st_size;
        allocatedBytes = Allocated(status);
        return (status.st_mode & FilePermissions.S_IFMT) switch
        {
            FilePermissions.S_IFREG when status.st_nlink == 1 => SpoolEntryKind.OwnedFile,
            FilePermissions.S_IFREG => SpoolEntryKind.HardLinkedFile,
            FilePermissions.S_IFLNK => SpoolEntryKind.SymbolicLink,
            FilePermissions.S_IFDIR => SpoolEntryKind.Directory,
            _ => SpoolEntryKind.Special,
        };
    }

    /// <summary>st_blocks counts 512-byte units whatever the file system's block size.</summary>
    private static long Allocated(Stat status) => Math.Min(status.st_size, status.st_blocks * 512);

    private const uint SyncFileRangeWaitBefore = 1;
    private const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int descriptor, long offset, long count, uint flags);
}
