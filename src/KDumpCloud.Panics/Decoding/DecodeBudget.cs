namespace KDumpCloud.Panics.Decoding;

/// <summary>
/// The bytes and time one decode has left (<see cref="PanicDecoderOptions"/>). Spending a budget records one warning and
/// makes the readers stop; only the caller's own cancellation is thrown (<see cref="OperationCanceledException"/>).
/// </summary>
internal sealed class DecodeBudget : IDisposable
{
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _readCancellation;
    private readonly long _started;

    public DecodeBudget(PanicDecoderOptions? options, CancellationToken cancellationToken)
    {
        Options = options ?? PanicDecoderOptions.Default;
        Options.Validate();
        _caller = cancellationToken;
        _started = Options.TimeProvider.GetTimestamp();
        _deadline = new CancellationTokenSource(Options.MaxDuration, Options.TimeProvider);
        _readCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
    }

    public PanicDecoderOptions Options { get; }

    /// <summary>For asynchronous reads: cancelled by the caller, or at the deadline so that a stalled read ends.</summary>
    public CancellationToken ReadCancellation => _readCancellation.Token;

    /// <summary>The warning that says which budget was spent, once one was.</summary>
    public string? Spent { get; private set; }

    /// <summary>Throws if the caller cancelled; false (and the warning recorded) once the time is spent.</summary>
    public bool HasTimeLeft()
    {
        _caller.ThrowIfCancellationRequested();
        if (Spent is null && (_deadline.IsCancellationRequested || Options.TimeProvider.GetElapsedTime(_started) >= Options.MaxDuration))
        {
            Spend($"decode stopped after its time budget (MaxDuration {Options.MaxDuration:c}); the result is what was read by then");
        }

        return Spent is null;
    }

    /// <summary>False (and the warning recorded) once a core has been scanned for <see cref="PanicDecoderOptions.MaxCoreBytes"/>.</summary>
    public bool HasCoreBytesLeft(long scanned)
    {
        if (Spent is null && scanned >= Options.MaxCoreBytes)
        {
            Spend($"core scan stopped after {scanned} bytes, its byte budget (MaxCoreBytes {Options.MaxCoreBytes})");
        }

        return Spent is null;
    }

    /// <summary>
    /// For a catch filter around asynchronous reads: true when the cancellation was the deadline's (recorded as the
    /// time budget spent, not thrown), false when it was the caller's (thrown on).
    /// </summary>
    public bool IsDeadline(OperationCanceledException cancellation)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        if (_caller.IsCancellationRequested || !_deadline.IsCancellationRequested)
        {
            return false;
        }

        _ = HasTimeLeft();
        return true;
    }

    private void Spend(string warning) => Spent = warning;

    public void Dispose()
    {
        _readCancellation.Dispose();
        _deadline.Dispose();
    }
}
