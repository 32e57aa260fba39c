namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>This process's memory as Linux accounts it.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set (VmHWM) in bytes; -1 where /proc is not there.</summary>
    public static long PeakWorkingSetBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
