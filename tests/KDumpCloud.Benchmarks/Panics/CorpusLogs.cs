namespace KDumpCloud.Benchmarks.Panics;

/// <summary>The shared corpus (../shared/corpus beside the repository, or $KDUMPCLOUD_CORPUS), read once.</summary>
internal static class CorpusLogs
{
    public static string Directory()
    {
        if (Environment.GetEnvironmentVariable("KDUMPCLOUD_CORPUS") is { Length: > 0 } configured)
        {
            return Path.Combine(configured, "panics");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KDumpCloud.sln")))
            {
                var panics = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "corpus", "panics"));
                if (System.IO.Directory.Exists(panics))
                {
                    return panics;
                }
            }
        }

        throw new InvalidOperationException("corpus not found: set KDUMPCLOUD_CORPUS or place it at ../shared/corpus beside the repository");
    }

    public static byte[][] ReadAll() =>
        [.. System.IO.Directory.EnumerateFiles(Directory()).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
}
