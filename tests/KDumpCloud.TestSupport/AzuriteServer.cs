using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace KDumpCloud.TestSupport;

/// <summary>How an <see cref="AzuriteServer"/> runs.</summary>
public sealed record AzuriteOptions
{
    /// <summary>How long a start may take until all three services accept connections.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful stop may take before the process is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Azurite's debug log (every request, verbose) to <c>debug.log</c> in the data directory.</summary>
    public bool DebugLog { get; init; }

    /// <summary>Azurite's loose mode: unsupported headers and parameters are ignored rather than refused.</summary>
    public bool Loose { get; init; }
}

/// <summary>
/// Azurite (the Azure Storage emulator) in a process of its own, listening on free 127.0.0.1 ports for blob, queue
/// and table, with its data in a temporary directory of its own. Use it as an xunit class or collection fixture
/// (<c>IClassFixture&lt;AzuriteServer&gt;</c>), or with <see cref="StartAsync"/> and <c>await using</c>.
/// <see cref="StopAsync"/> and <see cref="RestartAsync"/> stop it and bring it back on the same ports with the same
/// data; disposing kills the process tree and deletes the data. Azurite is found or installed by
/// <see cref="AzuriteInstallation"/>.
/// </summary>
public sealed partial class AzuriteServer : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="AccountName"/> (public: it is Azurite's, not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int MaxPortAttempts = 5;
    private const int RecentLineCount = 200;
    private const string ListeningMarker = "successfully listening at";
    private const int MaxOutputChars = 64 * 1024;
    private const int SigTerm = 15;

    // Preloaded into Azurite's node (node --require):
    // 1. It exits when the test process that started it is gone (a crashed or hang-killed test host), so no
    //    Azurite outlives its tests.
    // 2. Azurite runs with --disableTelemetry, so it never calls the Application Insights SDK, but it loads it at
    //    start-up, which is more than half of its start time (about 7 s of start becomes under 3 s here). Every
    //    use is behind the telemetry switch (checked in 3.37.0's common/Telemetry.js), so an empty module stands in.
    private const string Preload = """
        'use strict';
        const parent = Number(process.env.KDUMPCLOUD_AZURITE_PARENT_PID);
        if (parent > 0) {
          setInterval(() => {
            try { process.kill(parent, 0); } catch (e) { if (e.code === 'ESRCH') process.exit(1); }
          }, 1000).unref();
        }
        const Module = require('module');
        const load = Module._load;
        Module._load = function (request, ...rest) {
          return request === 'applicationinsights' ? {} : load.call(this, request, ...rest);
        };
        """;

    private readonly AzuriteOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _outputLock = new();
    private readonly Queue<string> _recentLines = new();
    private StreamWriter? _log;
    private RunningAzurite? _running;
    private int _blobPort;
    private int _queuePort;
    private int _tablePort;
    private bool _disposed;

    /// <summary>A server with default options, started by xunit through <see cref="IAsyncLifetime.InitializeAsync"/>.</summary>
    public AzuriteServer()
        : this(new AzuriteOptions())
    {
    }

    private AzuriteServer(AzuriteOptions options)
    {
        _options = options;
        DataDirectory = Directory.CreateTempSubdirectory("kdumpcloud-azurite-").FullName;
    }

    /// <summary>Starts a server that the caller owns (and disposes).</summary>
    public static async Task<AzuriteServer> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new AzuriteServer(options ?? new AzuriteOptions());
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Azurite's <c>--location</c>: its databases and blobs, plus <c>azurite.log</c> (its console output).</summary>
    public string DataDirectory { get; }

    /// <summary>Azurite's console output, across restarts.</summary>
    public string LogPath => Path.Combine(DataDirectory, "azurite.log");

    /// <summary>The blob service, <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => Endpoint(_blobPort);

    /// <summary>The queue service, <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri QueueEndpoint => Endpoint(_queuePort);

    /// <summary>The table service, <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri TableEndpoint => Endpoint(_tablePort);

    /// <summary>A storage connection string for all three services (the well-known development account).</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;" +
        $"AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>Whether the Azurite process is running.</summary>
    public bool IsRunning => _running is { Process.HasExited: false };

    /// <summary>How long the last start took, from launching the process to all three services accepting.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>The last lines Azurite printed (also in <see cref="LogPath"/>).</summary>
    public string RecentOutput
    {
        get
        {
            lock (_outputLock)
            {
                return string.Join('\n', _recentLines);
            }
        }
    }

    /// <summary>
    /// Stops Azurite gracefully (SIGTERM: it stops listening and saves its metadata; Azurite otherwise saves it
    /// every 5 s), killing it if it has not exited within <see cref="AzuriteOptions.StopTimeout"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StopCoreAsync(graceful: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Kills Azurite at once (SIGKILL), as a crash would: whatever it had not saved is lost.</summary>
    public async Task KillAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await StopCoreAsync(graceful: false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts Azurite again on the same ports with the same data, stopping it first if it runs.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await StopCoreAsync(graceful: true);
            await LaunchUntilListeningAsync(keepPorts: _blobPort != 0, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    Task IAsyncLifetime.InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <inheritdoc />
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>Kills the process tree and deletes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await StopCoreAsync(graceful: false);
            lock (_outputLock)
            {
                _log?.Dispose();
                _log = null;
            }

            DeleteDataDirectory();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running is null)
            {
                await LaunchUntilListeningAsync(keepPorts: false, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Uri Endpoint(int port) =>
        port == 0
            ? throw new InvalidOperationException("Azurite has not been started.")
            : new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/{AccountName}"));

    /// <summary>
    /// Launches Azurite and waits until it listens. New ports are picked per attempt while a port clash is possible;
    /// with <paramref name="keepPorts"/> a clash is retried on the same ports until the start timeout.
    /// </summary>
    private async Task LaunchUntilListeningAsync(bool keepPorts, CancellationToken cancellationToken)
    {
        var command = await AzuriteInstallation.ResolveAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            if (!keepPorts)
            {
                (_blobPort, _queuePort, _tablePort) = PickFreePorts();
            }

            var launchClock = Stopwatch.StartNew();
            var running = Launch(command);
            _running = running;
            var remaining = _options.StartTimeout - clock.Elapsed;
            Task outcome;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                outcome = await Task.WhenAny(running.Listening.Task, running.Process.WaitForExitAsync(waiting.Token),
                    Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, waiting.Token));
                await waiting.CancelAsync();
            }

            if (outcome == running.Listening.Task && await AllPortsAcceptAsync(cancellationToken))
            {
                LastStartDuration = launchClock.Elapsed;
                return;
            }

            await KillAsync(running);
            _running = null;
            cancellationToken.ThrowIfCancellationRequested();
            var output = running.Output();
            var clash = output.Contains("EADDRINUSE", StringComparison.Ordinal);
            if (clash && clock.Elapsed < _options.StartTimeout && (keepPorts || attempt < MaxPortAttempts))
            {
                if (keepPorts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                }

                continue;
            }

            var ports = $"127.0.0.1 ports {_blobPort} (blob), {_queuePort} (queue), {_tablePort} (table)";
            var where = $"Azurite from {command.Origin}, data in {DataDirectory}";
            throw running.Process.HasExited && outcome != running.Listening.Task
                ? new InvalidOperationException(
                    $"{where} exited with code {running.Process.ExitCode} before it listened on {ports}" +
                    $"{(clash ? " (a port stayed in use)" : "")}. Its output:\n{output}")
                : new TimeoutException(
                    $"{where} did not accept connections on {ports} within {_options.StartTimeout.TotalSeconds:0} s. " +
                    $"Its output:\n{output}");
        }
    }

    private RunningAzurite Launch(AzuriteCommand command)
    {
        var startInfo = new ProcessStartInfo(command.FileName)
        {
            WorkingDirectory = DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        var arguments = new List<string>();
        if (command.Script is not null)
        {
            var preload = Path.Combine(DataDirectory, "kdumpcloud-preload.cjs");
            File.WriteAllText(preload, Preload);
            arguments.AddRange(["--require", preload, command.Script]);
            startInfo.Environment["KDUMPCLOUD_AZURITE_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        }

        arguments.AddRange([
            "--location", DataDirectory,
            "--blobHost", "127.0.0.1", "--blobPort", Port(_blobPort),
            "--queueHost", "127.0.0.1", "--queuePort", Port(_queuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Port(_tablePort),
            "--skipApiVersionCheck",
            "--disableTelemetry",
        ]);
        arguments.AddRange(_options.DebugLog ? ["--debug", Path.Combine(DataDirectory, "debug.log")] : ["--silent"]);
        if (_options.Loose)
        {
            arguments.Add("--loose");
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var running = new RunningAzurite(new Process { StartInfo = startInfo, EnableRaisingEvents = true });
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is { } line)
            {
                Record(line);
                running.Record(line);
            }
        };
        running.Process.OutputDataReceived += onLine;
        running.Process.ErrorDataReceived += onLine;
        Record($"[{DescribeLaunch(command)}]");
        running.Process.Start();
        running.Process.StandardInput.Close();
        running.Process.BeginOutputReadLine();
        running.Process.BeginErrorReadLine();
        return running;

        static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
    }

    private string DescribeLaunch(AzuriteCommand command) => string.Create(CultureInfo.InvariantCulture,
        $"starting Azurite from {command.Origin} on blob {_blobPort}, queue {_queuePort}, table {_tablePort}");

    private void Record(string line)
    {
        lock (_outputLock)
        {
            _recentLines.Enqueue(line);
            while (_recentLines.Count > RecentLineCount)
            {
                _recentLines.Dequeue();
            }

            if (!_disposed)
            {
                _log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
                _log.WriteLine(line);
            }
        }
    }

    private async Task<bool> AllPortsAcceptAsync(CancellationToken cancellationToken)
    {
        foreach (var port in new[] { _blobPort, _queuePort, _tablePort })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return false;
            }
        }

        return true;
    }

    /// <summary>Three distinct free ports: each bound to 127.0.0.1:0, read, and released together.</summary>
    private static (int Blob, int Queue, int Table) PickFreePorts()
    {
        var sockets = new Socket[3];
        try
        {
            for (var i = 0; i < sockets.Length; i++)
            {
                sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return (PortOf(sockets[0]), PortOf(sockets[1]), PortOf(sockets[2]));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }

        static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task StopCoreAsync(bool graceful)
    {
        if (_running is not { } running)
        {
            return;
        }

        _running = null;
        try
        {
            if (graceful && !running.Process.HasExited && !OperatingSystem.IsWindows())
            {
                _ = SendSignal(running.Process.Id, SigTerm);
                using var timeout = new CancellationTokenSource(_options.StopTimeout);
                try
                {
                    await running.Process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Record($"[Azurite did not exit within {_options.StopTimeout.TotalSeconds:0} s of SIGTERM; killing it]");
                }
            }

            await KillAsync(running);
        }
        finally
        {
            running.Process.Dispose();
        }
    }

    private static async Task KillAsync(RunningAzurite running)
    {
        try
        {
            if (!running.Process.HasExited)
            {
                running.Process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await running.Process.WaitForExitAsync(timeout.Token);
    }

    private void DeleteDataDirectory()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // a file still being closed: try again, and leave it in the temporary directory if it stays
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>One Azurite process and what it has printed.</summary>
    private sealed class RunningAzurite(Process process)
    {
        private readonly StringBuilder _output = new();
        private int _listening;

        public Process Process { get; } = process;

        /// <summary>Completed once Azurite has said that blob, queue and table all listen.</summary>
        public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Record(string line)
        {
            lock (_output)
            {
                if (_output.Length < MaxOutputChars)
                {
                    _output.AppendLine(line);
                }
            }

            if (line.Contains(ListeningMarker, StringComparison.Ordinal) && Interlocked.Increment(ref _listening) == 3)
            {
                Listening.TrySetResult();
            }
        }

        public string Output()
        {
            lock (_output)
            {
                return _output.Length == 0 ? "(nothing)" : _output.ToString();
            }
        }
    }
}
