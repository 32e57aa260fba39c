using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Ingest.Embedded;

/// <summary>
/// Reads dumps that are files: the embedded relay's spool, or the files <c>kdumpcloud ingest FILE…</c> names. A message
/// points at a <c>file:</c> URI; with <paramref name="root"/> set, only files inside it are opened, so a message can
/// never make the relay read elsewhere.
/// </summary>
public sealed class FileDumpReader(string? root = null) : IDumpReader
{
    private readonly string? _root = root is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;

    public Task<Stream> OpenAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.BlobUri.IsFile)
        {
            throw new DumpMissingException($"{message.BlobUri} is not a file URI; this reader reads only local files");
        }

        var path = Path.GetFullPath(message.BlobUri.LocalPath);
        if (_root is not null && !path.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new DumpMissingException($"{path} is outside {_root}");
        }

        try
        {
            Stream stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 64 * 1024,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            return Task.FromResult(stream);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DumpMissingException($"{path} does not exist", error);
        }
    }

    /// <summary>The file URI a message carries for <paramref name="path"/>, written out as <c>file:///…</c> with its
    /// special characters escaped: a bare <c>/tmp/x</c> URI would serialise as a relative reference.</summary>
    public static Uri UriFor(string path) =>
        new("file://" + string.Join('/', Path.GetFullPath(path).Split('/').Select(Uri.EscapeDataString)));
}
