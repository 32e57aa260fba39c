namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// The input as a decode reads it: every read first checks the time budget and ends the stream (returns 0) once it
/// is spent, so even a core whose compressed bytes inflate to nothing (empty gzip members or deflate blocks) is cut
/// off on time. Asynchronous reads forward the budget's cancellation so that a stalled read ends at the deadline.
/// </summary>
internal sealed class BudgetedStream(Stream inner, DecodeBudget budget) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => budget.HasTimeLeft() ? inner.Read(buffer) : 0;

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        budget.HasTimeLeft() ? inner.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(0);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
