namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// What every WRQ datagram sent got as its first reply: ACK 0 (with its latency), ERROR, something else, or
/// nothing before the kernel's wait ran out. Thread-safe; one per phase and one for the probe.
/// </summary>
internal sealed class WrqStats
{
    private readonly Lock _gate = new();
    private readonly List<long> _ackTicks = [];
    private long _errors;
    private long _unanswered;
    private long _other;

    public long Acknowledged { get { lock (_gate) { return _ackTicks.Count; } } }

    public long Errors => Interlocked.Read(ref _errors);

    public long Unanswered => Interlocked.Read(ref _unanswered);

    /// <summary>Replies to a WRQ that were neither ACK 0 nor ERROR (the kernel takes them as an ACK, §11.1).</summary>
    public long Other => Interlocked.Read(ref _other);

    public long Sent => Acknowledged + Errors + Unanswered + Other;

    public void RecordAck(long stopwatchTicks)
    {
        lock (_gate)
        {
            _ackTicks.Add(stopwatchTicks);
        }
    }

    public void RecordError() => Interlocked.Increment(ref _errors);

    public void RecordUnanswered() => Interlocked.Increment(ref _unanswered);

    public void RecordOther() => Interlocked.Increment(ref _other);

    public LatencySummary AckLatency()
    {
        lock (_gate)
        {
            return LatencySummary.FromStopwatchTicks(_ackTicks);
        }
    }

    /// <summary>All of <paramref name="parts"/> together.</summary>
    public static WrqStats Combine(IEnumerable<WrqStats> parts)
    {
        var all = new WrqStats();
        foreach (var part in parts)
        {
            lock (part._gate)
            {
                all._ackTicks.AddRange(part._ackTicks);
            }

            all._errors += part.Errors;
            all._unanswered += part.Unanswered;
            all._other += part.Other;
        }

        return all;
    }
}
