using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// Reads dumps from the dumps container as forward-only streams that download a buffer at a time, so a core of any
/// size is read in flat memory. A message names its blob by URI; only blobs of the configured container are opened
/// (same scheme, host, port and container path, a plain blob name): a message can never make the worker read another
/// account, container or URL.
/// </summary>
public sealed class BlobDumpReader : IDumpReader
{
    /// <summary>Default bytes per download request.</summary>
    public const int DefaultBufferBytes = 4 << 20;

    private const int MaxBlobNameLength = 1024;
    private readonly BlobContainerClient _container;
    private readonly int _bufferBytes;

    /// <param name="container">The dumps container; blobs elsewhere are refused.</param>
    /// <param name="bufferBytes">Bytes per download request (the stream's buffer).</param>
    public BlobDumpReader(BlobContainerClient container, int bufferBytes = DefaultBufferBytes)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, 4096);
        _container = container;
        _bufferBytes = bufferBytes;
    }

    /// <exception cref="DumpMissingException">The URI is outside the container, or the blob does not exist.</exception>
    public async Task<Stream> OpenAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var name = BlobNameOf(message.BlobUri)
            ?? throw new DumpMissingException($"{message.BlobUri} is not a blob of {_container.Uri}; this worker reads only that container");
        var blob = _container.GetBlobClient(name);
        try
        {
            // Not allowing modifications pins the blob's ETag: a blob rewritten under the read fails it rather than
            // mixing two versions.
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = _bufferBytes }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            throw new DumpMissingException($"{blob.Uri} does not exist ({error.ErrorCode})", error);
        }
    }

    /// <summary>The blob name <paramref name="uri"/> names inside the container, or null when it names anything else
    /// (another account, host, port or container; dot segments, backslashes or control characters in the name).</summary>
    internal string? BlobNameOf(Uri uri)
    {
        var root = _container.Uri;
        if (!uri.IsAbsoluteUri || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.Equals(uri.Scheme, root.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.IdnHost, root.IdnHost, StringComparison.OrdinalIgnoreCase)
            || uri.Port != root.Port)
        {
            return null;
        }

        var prefix = root.AbsolutePath.TrimEnd('/') + "/";
        var path = uri.AbsolutePath;
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string name;
        try
        {
            name = Uri.UnescapeDataString(path[prefix.Length..]);
        }
        catch (UriFormatException)
        {
            return null;
        }

        if (name.Length is 0 or > MaxBlobNameLength || name.Contains('\\', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            return null;
        }

        return name.Split('/').Any(segment => segment is "" or "." or "..") ? null : name;
    }
}
