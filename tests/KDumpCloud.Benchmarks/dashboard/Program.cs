using System.Diagnostics;
using System.Globalization;
using System.Text;
using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Benchmarks.Dashboard;

/// <summary>
/// kdumpcloud-dashboard-bench [--dir DIR] [--groups N] [--occurrences N] [--runs N] [--out FILE]: fills (once) a SQLite
/// crash store in DIR through <see cref="SqliteCrashStore.RecordAsync"/>, serves the dashboard on 127.0.0.1 as the relay
/// does, and times pages over HTTP. Prints a Markdown report.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var options = Options.Parse(args);
        Directory.CreateDirectory(options.Directory);
        var path = Path.Combine(options.Directory, SqliteCrashStore.FileName);
        var report = new StringBuilder();
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        var store = new SqliteCrashStore(path, TimeProvider.System);
        var fill = await Fill.RunAsync(store, options);
        var queries = new SqliteCrashQueries(store);

        var configuration = new ConfigurationBuilder().Build();
        var app = DashboardHost.Build(configuration, "http://127.0.0.1:0", services =>
        {
            services.AddSingleton<ICrashStore>(store);
            services.AddSingleton<ICrashQueries>(queries);
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = DashboardHost.Address(app), Timeout = TimeSpan.FromMinutes(2) };

        var groups = await store.ListGroupsAsync(GroupOrder.MostFrequent, options.Groups);
        var biggest = groups[0];
        var median = groups[groups.Count / 2];
        var random = new Random(12);

        var timings = new List<(string What, Summary Summary)>();
        var cold = await TimeAsync(http, "/groups");
        timings.Add(("Group list, first request after start (loads every group into memory)", Summary.Of([cold])));
        timings.Add(("Group list `/groups` (default sort, 50 rows)", await RepeatAsync(http, options.Runs, _ => "/groups")));
        timings.Add(("Group list sorted by count, page 100 (`?sort=Count&offset=5000`)", await RepeatAsync(http, options.Runs, _ => "/groups?sort=Count&offset=5000")));
        timings.Add(("Group list filtered: text + OS build (`?q=driver7&osBuild=24A335`)", await RepeatAsync(http, options.Runs, _ => "/groups?q=driver7&osBuild=24A335")));
        timings.Add(("API `/api/groups` (default, 50 groups)", await RepeatAsync(http, options.Runs, _ => "/api/groups")));
        var afterChange = new List<double>();
        for (var i = 0; i < options.Runs; i++)
        {
            await store.RecordAsync(Fill.Occurrence(options, 10_000_000 + i, median.Id, DateTimeOffset.UtcNow));
            afterChange.Add(await TimeAsync(http, "/groups"));
        }

        timings.Add(("Group list right after a crash was recorded (the copy re-reads the changed group)", Summary.Of(afterChange)));
        timings.Add(($"Group page of the biggest group ({biggest.Count:N0} occurrences; 200 listed)", await RepeatAsync(http, options.Runs, _ => "/groups/" + biggest.Id)));
        timings.Add(($"Group page of a median group ({median.Count:N0} occurrences)", await RepeatAsync(http, options.Runs, _ => "/groups/" + median.Id)));
        timings.Add(("Group page of a random group", await RepeatAsync(http, options.Runs, _ => "/groups/" + groups[random.Next(groups.Count)].Id)));
        timings.Add(("Overview `/`", await RepeatAsync(http, options.Runs, _ => "/")));
        var refreshes = queries.Refreshes;
        var direct = new List<double>();
        for (var i = 0; i < options.Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await queries.QueryGroupsAsync(new KDumpCloud.Ingest.Querying.GroupQuery());
            direct.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        timings.Add(("In process, no HTTP: `ICrashQueries.QueryGroupsAsync` (default query)", Summary.Of(direct)));
        var loadAfter = File.ReadAllText("/proc/loadavg").Trim();
        await app.StopAsync();
        queries.Dispose();

        report.AppendLine("# Dashboard speed (issue 12)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; commit `{options.Commit}`");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine()}");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1, 5, 15 min; runnable/total; last pid) at start: `{loadBefore}`; at end: `{loadAfter}`. The machine is shared with other workers: figures move with their load.");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Store: `{path}` (SQLite, WAL), {fill.Groups:N0} groups and {fill.Occurrences:N0} occurrences recorded through `SqliteCrashStore.RecordAsync` (the real grouping rule, every occurrence with ~1.2 KB of panic text), {fill.Describe}; file {new FileInfo(path).Length / 1048576.0:N0} MiB.");
        report.AppendLine(CultureInfo.InvariantCulture, $"- Served by the dashboard on Kestrel at 127.0.0.1 (`DashboardHost`, as in the relay); each figure is the wall time of one HTTP GET from a client in the same process, body read, {options.Runs} requests after one untimed warm-up (except the first row).");
        report.AppendLine();
        report.AppendLine("| Request | p50 ms | p90 ms | max ms |");
        report.AppendLine("|---|---|---|---|");
        foreach (var (what, summary) in timings)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {summary.P50:F1} | {summary.P90:F1} | {summary.Max:F1} |");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"The SQLite copy of the groups was refreshed {refreshes} times over all requests (once at start, once per recorded crash in the 'after a crash' row).");
        report.AppendLine();
        var list = timings[1].Summary;
        var page = timings[6].Summary;
        report.AppendLine(CultureInfo.InvariantCulture, $"Targets: group list < 100 ms: p50 {list.P50:F1} ms, p90 {list.P90:F1} ms — {(list.P90 < 100 ? "met" : "not met")}; group page < 150 ms (biggest group): p50 {page.P50:F1} ms, p90 {page.P90:F1} ms — {(page.P90 < 150 ? "met" : "not met")}.");
        Console.Write(report);
        if (options.Out is not null)
        {
            await File.WriteAllTextAsync(options.Out, report.ToString());
        }

        return 0;
    }

    private static async Task<Summary> RepeatAsync(HttpClient http, int runs, Func<int, string> path)
    {
        await TimeAsync(http, path(-1));
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            times.Add(await TimeAsync(http, path(i)));
        }

        return Summary.Of(times);
    }

    private static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode || body.Length == 0)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        }

        return elapsed;
    }

    private static string Machine()
    {
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        return $"{Environment.ProcessorCount} CPUs ({model}), {memory} RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}

internal sealed record Summary(double P50, double P90, double Max)
{
    public static Summary Of(IReadOnlyList<double> times)
    {
        var sorted = times.Order().ToArray();
        return new Summary(Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted[^1]);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

internal sealed record Options(string Directory, int Groups, int Occurrences, int Runs, string? Out, string Commit)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        return new Options(Value("--dir", "/dev/shm/kdumpcloud-dashboard-bench"), int.Parse(Value("--groups", "10000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--occurrences", "200000"), CultureInfo.InvariantCulture), int.Parse(Value("--runs", "50"), CultureInfo.InvariantCulture),
            Value("--out", "") is { Length: > 0 } output ? output : null, Value("--commit", "?"));
    }
}
