using System.Diagnostics;
using System.Globalization;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// Reads the relay's <c>/proc/&lt;pid&gt;/status</c> every interval: the high-water RSS (VmHWM), the current RSS and
/// the thread count, plus its open file descriptors; keeps the peaks, overall and since the last
/// <see cref="TakePhasePeaks"/>.
/// </summary>
internal sealed class RelaySampler(int pid, TimeSpan interval)
{
    private readonly Lock _gate = new();
    private long _peakHwmKib;
    private long _phaseRssKib;
    private int _peakThreads;
    private int _phaseThreads;
    private int _peakFds;
    private int _phaseFds;
    private int _samples;

    public long PeakHwmKib { get { lock (_gate) { return _peakHwmKib; } } }

    public int PeakThreads { get { lock (_gate) { return _peakThreads; } } }

    public int PeakFileDescriptors { get { lock (_gate) { return _peakFds; } } }

    public int Samples { get { lock (_gate) { return _samples; } } }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        var tick = 0;
        do
        {
            // Counting descriptors walks a directory of thousands of entries: every 5th sample is enough.
            if (!Sample(countFds: tick++ % 5 == 0))
            {
                return;
            }
        }
        while (await Next(timer, cancellationToken));
    }

    /// <summary>(peak RSS in KiB, peak threads, peak fds) since the previous call; the RSS is the largest VmRSS seen.</summary>
    public (long RssKib, int Threads, int Fds) TakePhasePeaks()
    {
        lock (_gate)
        {
            var peaks = (_phaseRssKib, _phaseThreads, _phaseFds);
            (_phaseRssKib, _phaseThreads, _phaseFds) = (0, 0, 0);
            return peaks;
        }
    }

    private static async Task<bool> Next(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private bool Sample(bool countFds)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var hwm = Field(lines, "VmHWM:");
        var rss = Field(lines, "VmRSS:");
        var threads = (int)Field(lines, "Threads:");
        var fds = countFds ? CountFds() : 0;
        lock (_gate)
        {
            _samples++;
            _peakHwmKib = Math.Max(_peakHwmKib, hwm);
            _phaseRssKib = Math.Max(_phaseRssKib, rss);
            _peakThreads = Math.Max(_peakThreads, threads);
            _phaseThreads = Math.Max(_phaseThreads, threads);
            _peakFds = Math.Max(_peakFds, fds);
            _phaseFds = Math.Max(_phaseFds, fds);
        }

        return true;
    }

    private int CountFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static long Field(string[] lines, string name)
    {
        foreach (var line in lines)
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                var value = line.AsSpan(name.Length).Trim();
                var space = value.IndexOf(' ');
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }

        Debug.Fail($"{name} missing from /proc status");
        return 0;
    }
}
