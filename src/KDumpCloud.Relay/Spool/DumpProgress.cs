namespace KDumpCloud.Relay.Spool;

/// <summary>
/// What is in one dump's file, published for consumers that work while the dump arrives (the uploader): the
/// high-water mark of bytes in the file, the ranges below it rewritten since the consumer last looked (SEEKs back,
/// pre-10.11 Mach-O cores, kdump-protocol.md §7), and the end (complete or not, then its SHA-256).
/// </summary>
/// <remarks>
/// The writer never waits for a consumer: every update is a few field writes under a lock no one holds for long,
/// and a consumer that falls behind only sees a later state. Rewritten ranges are coalesced and bounded: past
/// <see cref="MaxRewrittenRanges"/>, the two nearest are merged, which can only make a consumer redo more, never
/// miss a change.
/// </remarks>
public sealed class DumpProgress
{
    public const int MaxRewrittenRanges = 64;

    private readonly Lock _gate = new();
    private readonly List<ByteRange> _rewritten = [];
    private TaskCompletionSource? _waiter;
    private long _writtenLength;
    private DumpState _state;
    private string? _sha256;
    private bool _noHash;

    internal DumpProgress(Guid dumpId, string fileName, DumpState state, long writtenLength, string? sha256)
    {
        DumpId = dumpId;
        FileName = fileName;
        _state = state;
        _writtenLength = writtenLength;
        _sha256 = sha256;
    }

    public Guid DumpId { get; }

    public string FileName { get; }

    /// <summary>Bytes [0, this) are in the file and readable (a hole reads as zeros until a SEEK back fills it).</summary>
    public long WrittenLength => Volatile.Read(ref _writtenLength);

    public DumpState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The file's SHA-256 once the dump has ended and been hashed.</summary>
    public string? Sha256
    {
        get
        {
            lock (_gate)
            {
                return _sha256;
            }
        }
    }

    /// <summary>The dump has ended and its hash is known (or its file could not be hashed): nothing about it
    /// changes any more.</summary>
    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return IsSettled;
            }
        }
    }

    private bool IsSettled => _state != DumpState.Receiving && (_sha256 is not null || _noHash);

    /// <summary>The ranges rewritten since the last call, oldest first, and forgets them.</summary>
    public IReadOnlyList<ByteRange> TakeRewrittenRanges()
    {
        lock (_gate)
        {
            var taken = _rewritten.ToArray();
            _rewritten.Clear();
            return taken;
        }
    }

    /// <summary>Completes when anything changes after the call, or at once when <paramref name="seenWrittenLength"/>
    /// is stale, rewrites are waiting or the dump is finished.</summary>
    public Task WaitForChangeAsync(long seenWrittenLength, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_writtenLength != seenWrittenLength || _rewritten.Count > 0 || IsSettled)
            {
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The writer put <paramref name="range"/> in the file; <paramref name="rewrites"/> when some of it lies
    /// below the previous high-water mark.</summary>
    internal void OnWritten(ByteRange range, bool rewrites)
    {
        lock (_gate)
        {
            if (rewrites && range.Offset < _writtenLength)
            {
                AddRewritten(new ByteRange(range.Offset, Math.Min(range.End, _writtenLength) - range.Offset));
            }

            if (range.End > _writtenLength)
            {
                Volatile.Write(ref _writtenLength, range.End);
            }

            Wake();
        }
    }

    internal void OnEnded(DumpState state, long fileLength)
    {
        lock (_gate)
        {
            _state = state;
            Volatile.Write(ref _writtenLength, fileLength);
            Wake();
        }
    }

    internal void OnHashed(string sha256)
    {
        lock (_gate)
        {
            _sha256 = sha256;
            Wake();
        }
    }

    /// <summary>The file is gone or not one the relay owns: no hash will come.</summary>
    internal void OnNotHashable()
    {
        lock (_gate)
        {
            _noHash = true;
            Wake();
        }
    }

    private void AddRewritten(ByteRange range)
    {
        // Keep the list sorted by offset and merge what touches, so it describes each byte once.
        var index = _rewritten.FindIndex(existing => existing.Offset > range.Offset);
        _rewritten.Insert(index < 0 ? _rewritten.Count : index, range);
        for (var i = 0; i + 1 < _rewritten.Count;)
        {
            if (_rewritten[i].End >= _rewritten[i + 1].Offset)
            {
                _rewritten[i] = Merge(_rewritten[i], _rewritten[i + 1]);
                _rewritten.RemoveAt(i + 1);
            }
            else
            {
                i++;
            }
        }

        if (_rewritten.Count > MaxRewrittenRanges)
        {
            var nearest = 0;
            for (var i = 1; i + 1 < _rewritten.Count; i++)
            {
                if (_rewritten[i + 1].Offset - _rewritten[i].End < _rewritten[nearest + 1].Offset - _rewritten[nearest].End)
                {
                    nearest = i;
                }
            }

            _rewritten[nearest] = Merge(_rewritten[nearest], _rewritten[nearest + 1]);
            _rewritten.RemoveAt(nearest + 1);
        }
    }

    private static ByteRange Merge(ByteRange first, ByteRange second)
    {
        var end = Math.Max(first.End, second.End);
        return new ByteRange(first.Offset, end - first.Offset);
    }

    private void Wake()
    {
        var waiter = _waiter;
        _waiter = null;
        waiter?.TrySetResult();
    }
}
