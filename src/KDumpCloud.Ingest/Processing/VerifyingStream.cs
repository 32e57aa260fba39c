using System.Security.Cryptography;

namespace KDumpCloud.Ingest.Processing;

/// <summary>A read-only pass-through that counts and hashes (SHA-256) every byte read, so the dump is checked
/// against the relay's size and hash in the same single read that decodes it.</summary>
internal sealed class VerifyingStream(Stream inner) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>When (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) the last read that returned bytes
    /// ended: where the decoder stopped reading, which splits its time into extracting and decoding.</summary>
    public long LastReadAt { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Count(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads whatever the decoder left unread, so the size and hash cover the whole dump.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            while (await ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>SHA-256 of everything read, lower-case hex.</summary>
    public string Sha256() => Convert.ToHexStringLower(_sha256.GetCurrentHash());

    private void Count(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0)
        {
            LastReadAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        BytesRead += bytes.Length;
        _sha256.AppendData(bytes);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}
