namespace KDumpCloud.Relay;

/// <summary>
/// Lets through at most <see cref="PerWindow"/> log lines of one kind per <see cref="Window"/> and reports how many
/// it held back, so that a flood of refused requests cannot turn into a flood of log lines (a storm once wrote
/// 167,000 refusal warnings in 78 s).
/// </summary>
internal sealed class LogThrottle(TimeProvider time, Action<long> reportSuppressed)
{
    public const int PerWindow = 20;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private long _windowStart = time.GetTimestamp();
    private int _logged;
    private long _suppressed;

    /// <summary>Whether to write this line; reports the lines held back in the previous window when a new one starts.</summary>
    public bool ShouldLog()
    {
        long suppressed = 0;
        bool log;
        lock (_gate)
        {
            if (time.GetElapsedTime(_windowStart) >= Window)
            {
                suppressed = _suppressed;
                _suppressed = 0;
                _logged = 0;
                _windowStart = time.GetTimestamp();
            }

            log = _logged < PerWindow;
            if (log)
            {
                _logged++;
            }
            else
            {
                _suppressed++;
            }
        }

        if (suppressed > 0)
        {
            reportSuppressed(suppressed);
        }

        return log;
    }
}
