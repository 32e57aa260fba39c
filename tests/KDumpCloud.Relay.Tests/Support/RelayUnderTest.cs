using System.Net;
using KDumpCloud.Relay.Hosting;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Transfers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>The real relay, in process, listening on 127.0.0.1 and a free port, with its own data directory.</summary>
internal sealed class RelayUnderTest : IAsyncDisposable
{
    private readonly IHost _host;

    private RelayUnderTest(IHost host, IPEndPoint endPoint, string dataDirectory)
    {
        _host = host;
        EndPoint = endPoint;
        DataDirectory = dataDirectory;
    }

    public IPEndPoint EndPoint { get; }

    public string DataDirectory { get; }

    public DumpSpool Spool => _host.Services.GetRequiredService<DumpSpool>();

    public IServiceProvider Services => _host.Services;

    public string DumpPath(string name) => Spool.DumpPath(name);

    public static string NewDataDirectory() =>
        Path.Combine(Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n"), "data");

    public static async Task<RelayUnderTest> StartAsync(
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        string? dataDirectory = null,
        Action<IServiceCollection>? services = null)
    {
        dataDirectory ??= NewDataDirectory();
        var configuration = new Dictionary<string, string?>
        {
            ["Relay:Port"] = "0",
            ["Relay:BindAddress"] = "127.0.0.1",
            ["Relay:DataDirectory"] = dataDirectory,
            ["Relay:MinFreeDiskBytes"] = "0",

            // Relays run in parallel here: each dashboard on a free port, not all on the default 8069.
            ["Dashboard:Url"] = "http://127.0.0.1:0",
            ["Operations:Url"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddKdumpRelay(builder.Configuration);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        var endPoint = await host.Services.GetRequiredService<KdumpListener>().LocalEndPoint;
        return new RelayUnderTest(host, endPoint, dataDirectory);
    }

    /// <summary>Polls the journal until <paramref name="until"/> holds: the final journal is written on the
    /// transfer's thread and its SHA-256 a moment later, in the background.</summary>
    public async Task<DumpJournal> WaitForJournalAsync(string name, Func<DumpJournal, bool> until, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var journal = TryRead(name);
            if (journal is not null && until(journal))
            {
                return journal;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"journal of {name} did not reach the expected state; last: {journal}");
            }

            await Task.Delay(20);
        }
    }

    private DumpJournal? TryRead(string name)
    {
        try
        {
            return Spool.ReadJournal(name);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task StopAsync() => await _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
