using System.Buffers;
using KDumpCloud.Relay.Spool;
using Microsoft.Win32.SafeHandles;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// Reads blocks of one dump's file through a read-only handle of its own, with positional reads
/// (<see cref="RandomAccess"/>): no shared file position and no lock, so reading never waits on, or delays, the
/// transfer that writes the file.
/// </summary>
internal sealed class DumpBlockReader : IDisposable
{
    private readonly SafeFileHandle _file;

    private DumpBlockReader(SafeFileHandle file) => _file = file;

    /// <summary>Opens the dump's file only when it is one the relay owns (never through a link); null with the
    /// reason otherwise.</summary>
    public static DumpBlockReader? TryOpen(string path, out string problem)
    {
        var file = UnixFiles.TryOpenOwnedFile(path, out problem);
        return file is null ? null : new DumpBlockReader(file);
    }

    /// <summary>Reads [<paramref name="offset"/>, +<paramref name="length"/>) into a pooled buffer the caller
    /// returns with <see cref="Return"/>. A hole reads as zeros, as it does for the hasher.</summary>
    /// <exception cref="IOException">The file is shorter than the spool said.</exception>
    public async Task<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var filled = 0;
            while (filled < length)
            {
                var read = await RandomAccess.ReadAsync(_file, buffer.AsMemory(filled, length - filled), offset + filled, cancellationToken);
                if (read == 0)
                {
                    throw new IOException($"the file ends at {offset + filled}, before the {length} bytes at {offset} the spool recorded");
                }

                filled += read;
            }

            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

    public void Dispose() => _file.Dispose();
}
