using Azure;
using Azure.Storage.Blobs;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// Reads dumps from the dumps container as the body of one download, streamed: one request per dump (a paniclog costs
/// one round trip) and flat memory for a core of any size. The SDK's download stream resumes a broken body from
/// where it stopped, on the ETag of the first response, so a blob rewritten under the read fails it rather than mixing
/// two versions. A message names its blob by URI; only blobs of the configured container are opened
/// (same scheme, host, port and container path, a plain blob name): a message can never make the worker read another
/// account, container or URL.
/// </summary>
public sealed class BlobDumpReader : IDumpReader
{
    private const int MaxBlobNameLength = 1024;
    private readonly BlobContainerClient _container;

    /// <param name="container">The dumps container; blobs elsewhere are refused.</param>
    public BlobDumpReader(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
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
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
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
