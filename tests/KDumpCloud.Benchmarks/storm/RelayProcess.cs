using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// The relay under test as a separate process (<c>dotnet kdumpcloud-relay.dll</c>) on 127.0.0.1, with its spool in
/// a given directory and any extra <c>--Relay:Key value</c> settings passed through. Its output goes to a log file;
/// the port is read from its "Listening for kdump write requests on UDP 127.0.0.1:PORT" line.
/// </summary>
internal sealed partial class RelayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RelayProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, if it has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static RelayProcess Start(string relayDll, string dataDirectory, int port, IReadOnlyList<string> extraArguments, string logPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[relayDll, "--Relay:Port", port.ToString(CultureInfo.InvariantCulture),
            "--Relay:BindAddress", "127.0.0.1", "--Relay:DataDirectory", dataDirectory,
            // The receive path alone, as the committed results measured it; the embedded ingest is measured on its own.
            "--EmbeddedIngest:Enabled", "false", .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var relay = new RelayProcess(process, new StreamWriter(logPath) { AutoFlush = false });
        process.OutputDataReceived += (_, e) => relay.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => relay.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => relay._port.TrySetException(
            new InvalidOperationException($"the relay exited with code {process.ExitCode} before listening; see {logPath}")), TaskScheduler.Default);
        return relay;
    }

    /// <summary>The UDP port it listens on, once it says so.</summary>
    public Task<int> Port => _port.Task;

    /// <summary>Ends the relay (and anything it started) and waits for it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(wait.Token);
        lock (_logGate)
        {
            _log.Flush();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log.WriteLine(line);
        }

        if (!_port.Task.IsCompleted && ListeningLine().Match(line) is { Success: true } match)
        {
            _port.TrySetResult(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"Listening for kdump write requests on UDP 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        lock (_logGate)
        {
            _log.Dispose();
        }
    }
}
