using System.Security.Cryptography;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using KDumpCloud.Ingest.Model;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// The uploader's only contact with Azure Storage: the dumps container and the ingest queue. Each SDK call retries by
/// itself (the SDK's policy, <c>Upload:Client:Retry:*</c>) and runs under <see cref="StorageResilience"/> (a
/// whole-operation timeout and the shared circuit breaker); nothing here retries again.
/// </summary>
internal sealed class UploadStorage
{
    private readonly BlobContainerClient _container;
    private readonly QueueClient _queue;
    private readonly StorageResilience _resilience;
    private readonly ILogger<UploadStorage> _logger;
    private readonly SemaphoreSlim _creating = new(1, 1);
    private volatile bool _created;

    public UploadStorage(BlobServiceClient blobs, QueueServiceClient queues, StorageResilience resilience, IOptions<UploadOptions> options,
        ILogger<UploadStorage> logger)
    {
        _container = blobs.GetBlobContainerClient(options.Value.Container);
        _queue = queues.GetQueueClient(options.Value.Queue);
        _resilience = resilience;
        _logger = logger;
    }

    /// <summary>Whether the storage circuit is open (or probing): calls wait until it closes.</summary>
    public bool IsUnreachable => _resilience.IsBroken;

    public Uri ContainerUri => _container.Uri;

    public Uri QueueUri => _queue.Uri;

    public BlockBlobClient Blob(string name) => _container.GetBlockBlobClient(name);

    /// <summary>Creates the container and the queue once, when missing. A relay whose role may only write blobs
    /// and send messages (403) carries on: they are then expected to exist (Bicep creates them).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _creating.WaitAsync(cancellationToken);
        try
        {
            if (!_created)
            {
                await CreateAsync("create the container", token => _container.CreateIfNotExistsAsync(cancellationToken: token), _container.Uri,
                    cancellationToken);
                await CreateAsync("create the queue", token => _queue.CreateIfNotExistsAsync(cancellationToken: token), _queue.Uri,
                    cancellationToken);
                _created = true;
            }
        }
        finally
        {
            _creating.Release();
        }
    }

    private async Task CreateAsync<T>(string operation, Func<CancellationToken, Task<T>> create, Uri what, CancellationToken cancellationToken)
    {
        try
        {
            await _resilience.ExecuteAsync(operation, async token => await create(token), cancellationToken);
        }
        catch (RequestFailedException error) when (error.Status == 403)
        {
            Log.StorageNotCreated(_logger, what, error.ErrorCode ?? "403");
        }
    }

    /// <summary>Stages one block with its content MD5, which the service checks (a transactional hash: a block
    /// damaged on the way is refused, not stored).</summary>
    public async Task StageBlockAsync(BlockBlobClient blob, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
#pragma warning disable CA5351 // MD5 is the service's content check here, not a security measure.
        var md5 = MD5.HashData(content.Span);
#pragma warning restore CA5351
        await _resilience.ExecuteAsync("stage a block", async token =>
        {
            using var stream = new ReadOnlyMemoryStream(content);
            await blob.StageBlockAsync(blockId, stream, new BlockBlobStageBlockOptions
            {
                TransferValidation = new UploadTransferValidationOptions
                {
                    ChecksumAlgorithm = StorageChecksumAlgorithm.MD5,
                    PrecalculatedChecksum = md5,
                },
            }, token);
        }, cancellationToken);
    }

    /// <summary>
    /// Commits the block list with the dump's metadata, only if no blob has the name yet. Returns false when the blob
    /// is already there for the same dump (an earlier commit whose journal entry a crash lost): that commit stands
    /// and is not repeated. A different dump under the name is an error.
    /// </summary>
    public async Task<bool> CommitAsync(BlockBlobClient blob, IReadOnlyList<string> blockIds, IDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        try
        {
            await _resilience.ExecuteAsync("commit", async token => await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions
            {
                Metadata = metadata,
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, token), cancellationToken);
            return true;
        }
        catch (RequestFailedException error) when (error.Status is 409 or 412)
        {
            var existing = (await PropertiesAsync(blob, cancellationToken)).Metadata;
            if (existing.TryGetValue("dumpid", out var dumpId) && dumpId == metadata["dumpid"])
            {
                return false;
            }

            throw new InvalidOperationException($"blob {blob.Name} already holds another dump ({dumpId ?? "no dump id"})", error);
        }
    }

    /// <summary>The blocks staged for the blob and not committed, by id, with their sizes; empty when there are none
    /// (the service keeps uncommitted blocks for a week).</summary>
    public async Task<IReadOnlyDictionary<string, long>> StagedBlocksAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var list = await _resilience.ExecuteAsync("list staged blocks",
                async token => (await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: token)).Value, cancellationToken);
            return list.UncommittedBlocks.ToDictionary(block => block.Name, block => block.SizeLong, StringComparer.Ordinal);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return new Dictionary<string, long>();
        }
    }

    /// <summary>Whether the blob is already committed for this dump (an earlier process committed it and stopped
    /// before journaling that).</summary>
    public async Task<bool> IsCommittedAsync(BlockBlobClient blob, Guid dumpId, CancellationToken cancellationToken)
    {
        try
        {
            var existing = (await PropertiesAsync(blob, cancellationToken)).Metadata;
            return existing.TryGetValue("dumpid", out var id) && id == dumpId.ToString("D");
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return false;
        }
    }

    public async Task SendAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        var json = message.ToJson();
        await _resilience.ExecuteAsync("send the ingest message", async token => await _queue.SendMessageAsync(json, token), cancellationToken);
    }

    private async Task<BlobProperties> PropertiesAsync(BlockBlobClient blob, CancellationToken cancellationToken) =>
        await _resilience.ExecuteAsync("read blob properties",
            async token => (await blob.GetPropertiesAsync(cancellationToken: token)).Value, cancellationToken);

    /// <summary>A read-only stream over memory the caller owns, without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> content) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => content.Length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, content.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, content.Length - _position);
            content.Span.Slice(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => content.Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
