namespace KDumpCloud.Panics.Tests.Support;

/// <summary>
/// A stream that can only be read asynchronously, each read completing later (like a Blob download stream), so that a
/// decoder which blocks a thread on it fails; optionally it stalls forever after some bytes, or calls back per read.
/// </summary>
internal sealed class AsyncOnlyStream(byte[] data, int stallAfter = int.MaxValue, Action<int>? onRead = null) : Stream
{
    private int _position;
    private int _reads;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous read of an asynchronous stream");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        onRead?.Invoke(++_reads);
        if (_position >= stallAfter)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        await Task.Yield();
        var take = Math.Min(Math.Min(buffer.Length, 64 * 1024), Math.Min(data.Length, stallAfter) - _position);
        data.AsSpan(_position, take).CopyTo(buffer.Span);
        _position += take;
        return take;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A raw Mach-O core header followed by zeros, up to <paramref name="length"/> bytes, made as it is read.</summary>
internal sealed class ZeroCoreStream(long length) : Stream
{
    public long Produced { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var take = (int)Math.Min(buffer.Length, length - Produced);
        buffer[..take].Clear();
        if (Produced == 0 && take >= 4)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buffer, 0xfeedfacf);
        }

        Produced += take;
        return take;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A clock that moves on by a fixed step every time it is read: time budgets tested without waiting.</summary>
internal sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
}
