using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>
/// The built relay (<c>dotnet kdumpcloud-relay.dll</c>, copied beside the tests by the project reference) as a child
/// process on 127.0.0.1, so that a test can kill it with SIGKILL and start it again on the same data directory.
/// Settings go in as environment variables (<c>Upload:BlockSizeBytes</c> becomes <c>Upload__BlockSizeBytes</c>), as
/// an operator's would. Disposing kills it; so does the test process's exit.
/// </summary>
internal sealed partial class RelayProcess : IAsyncDisposable
{
    private const int KeptLines = 300;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly EventHandler _onTestProcessExit;

    private RelayProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Journals = new JournalFiles(Path.Combine(dataDirectory, "journal"));
        _onTestProcessExit = (_, _) => KillNow();
        AppDomain.CurrentDomain.ProcessExit += _onTestProcessExit;
    }

    public string DataDirectory { get; }

    /// <summary>The WRQ endpoint, read from the relay's "Listening for kdump write requests" line.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    public int Port => EndPoint.Port;

    private JournalFiles Journals { get; }

    /// <summary>The relay's last lines of output, for failure messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Starts the relay and waits until it serves WRQs. <paramref name="port"/> 0 lets it pick one (a
    /// restart passes the first run's, as a Mac's <c>panicd_port</c> does not change).</summary>
    public static async Task<RelayProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?> settings, int port = 0)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dataDirectory)!,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kdumpcloud-relay.dll"));
        var environment = new Dictionary<string, string?>(settings)
        {
            ["Relay:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Relay:BindAddress"] = "127.0.0.1",
            ["Relay:DataDirectory"] = dataDirectory,
            ["Relay:MinFreeDiskBytes"] = "0",
        };

        // Relays run in parallel here: each dashboard on a free port, not all on the default 8069.
        environment.TryAdd("Dashboard:Url", "http://127.0.0.1:0");
        environment.TryAdd("Operations:Url", "http://127.0.0.1:0");
        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        Directory.CreateDirectory(dataDirectory);
        var relay = new RelayProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, dataDirectory);
        relay._process.OutputDataReceived += (_, e) => relay.OnLine(e.Data);
        relay._process.ErrorDataReceived += (_, e) => relay.OnLine(e.Data);
        relay._process.Exited += (_, _) => relay._listening.TrySetException(new InvalidOperationException(
            $"the relay exited before it listened:\n{relay.RecentOutput}"));
        relay._process.Start();
        relay._process.StandardInput.Close();
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();
        try
        {
            var listeningPort = await relay._listening.Task.WaitAsync(StartTimeout);
            relay.EndPoint = new IPEndPoint(IPAddress.Loopback, listeningPort);
            return relay;
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }
    }

    public string DumpPath(string fileName) => Path.Combine(DataDirectory, "dumps", fileName);

    /// <summary>The dump's journal as on disk now; null while there is none.</summary>
    public DumpJournal? ReadJournal(string fileName) => Journals.TryRead(fileName, out _);

    /// <summary>Polls the journal on disk until <paramref name="until"/> holds.</summary>
    public async Task<DumpJournal> WaitForJournalAsync(string fileName, Func<DumpJournal, bool> until, int timeoutMs = 30_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var journal = ReadJournal(fileName);
            if (journal is not null && until(journal))
            {
                return journal;
            }

            if (Environment.TickCount64 > deadline || _process.HasExited)
            {
                throw new TimeoutException($"journal of {fileName} did not reach the expected state; last: {journal}\n" +
                    $"relay {(_process.HasExited ? "exited" : "running")}, its output:\n{RecentOutput}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): no stopping, no flushing, no journal
    /// written on the way out. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        KillNow();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>The exit code once it has exited: 137 (128 + SIGKILL) after <see cref="KillAsync"/>.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    private void KillNow()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"Listening for kdump write requests on UDP 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onTestProcessExit;
        await KillAsync();
        _process.Dispose();
    }
}
