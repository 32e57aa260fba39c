namespace KDumpCloud.Benchmarks.Storm;

/// <summary><c>kdumpcloud-storm</c>: the relay under a storm of Macs (issue 6, Benchmarks). See <see cref="StormOptions.Usage"/>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args is ["--help"] or ["-h"])
        {
            await Console.Out.WriteLineAsync(StormOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }

        StormOptions options;
        try
        {
            options = StormOptions.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"kdumpcloud-storm: {e.Message}");
            return 2;
        }

        var figures = await StormRun.RunAsync(options, Console.Error);
        var markdown = StormReport.Markdown(figures);
        await Console.Out.WriteAsync(markdown);
        if (options.Report is { } report)
        {
            await File.WriteAllTextAsync(report, markdown);
        }

        return figures.RelayAliveAtEnd ? 0 : 1;
    }
}
