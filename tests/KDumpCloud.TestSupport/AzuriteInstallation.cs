using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace KDumpCloud.TestSupport;

/// <summary>How to run Azurite: the program, and the arguments that come before Azurite's own.</summary>
/// <param name="FileName">The program started (node, or an executable named by <c>KDUMPCLOUD_AZURITE</c>).</param>
/// <param name="Script">Azurite's entry script when <paramref name="FileName"/> is node; otherwise null.</param>
/// <param name="Origin">Where it came from, for messages.</param>
public sealed record AzuriteCommand(string FileName, string? Script, string Origin)
{
    /// <summary>Whether Azurite runs under node started directly (so a parent watchdog can be preloaded).</summary>
    public bool RunsUnderNode => Script is not null;
}

/// <summary>
/// Finds Azurite, installing it on first use. In order: the path in <c>KDUMPCLOUD_AZURITE</c>; the repository's
/// pinned copy in <c>infra/azurite</c> (<c>package.json</c> + <c>package-lock.json</c>), installed there with
/// <c>npm ci</c> when <c>node_modules</c> lacks it, under a cross-process file lock so that test assemblies running
/// in parallel install it once.
/// </summary>
public static class AzuriteInstallation
{
    /// <summary>An explicit Azurite to run: its <c>azurite</c> bin script, <c>azurite.js</c>, or any executable.</summary>
    public const string PathVariable = "KDUMPCLOUD_AZURITE";

    private const string InstallHint =
        "Install Node.js 20 or later, which includes npm, so that `node` and `npm` are on PATH (Azurite then installs " +
        "itself into infra/azurite on first use), or set " + PathVariable + " to an azurite executable.";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(15);
    private static readonly SemaphoreSlim ResolveGate = new(1, 1);
    private static AzuriteCommand? s_resolved;

    /// <summary>Finds (and if needed installs) Azurite. Cached for the process once found.</summary>
    public static async Task<AzuriteCommand> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (s_resolved is { } resolved)
        {
            return resolved;
        }

        await ResolveGate.WaitAsync(cancellationToken);
        try
        {
            s_resolved ??= await ResolveCoreAsync(cancellationToken);
            return s_resolved;
        }
        finally
        {
            ResolveGate.Release();
        }
    }

    /// <summary>The repository's <c>infra/azurite</c> folder above the running tests, or null when there is none.</summary>
    public static string? FindRepositoryInstallDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "infra", "azurite");
            if (File.Exists(Path.Combine(candidate, "package.json")) && File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task<AzuriteCommand> ResolveCoreAsync(CancellationToken cancellationToken)
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return FromExplicitPath(explicitPath);
        }

        var installDirectory = FindRepositoryInstallDirectory()
            ?? throw new InvalidOperationException(
                $"Azurite: no infra/azurite/package.json found above {AppContext.BaseDirectory}. Run the tests from the " +
                $"repository, or set {PathVariable} to an azurite executable.");

        var node = FindOnPath("node") ?? throw new InvalidOperationException(
            "Azurite (the Azure Storage emulator the storage tests use) needs Node.js, and `node` is not on PATH. " + InstallHint);

        if (!IsInstalled(installDirectory))
        {
            await InstallAsync(installDirectory, cancellationToken);
        }

        return new AzuriteCommand(node, AzuriteBin(installDirectory), $"{installDirectory} (azurite {PinnedVersion(installDirectory)})");
    }

    private static AzuriteCommand FromExplicitPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new InvalidOperationException(
                $"{PathVariable} is set to '{path}', and {full} is not a file (give an absolute path: tests run in their bin folder).");
        }

        var target = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        if (!IsNodeScript(target))
        {
            return new AzuriteCommand(full, null, $"{PathVariable}={path}");
        }

        var node = FindOnPath("node") ?? throw new InvalidOperationException(
            $"{PathVariable} names the node script '{path}', but `node` is not on PATH. " + InstallHint);
        return new AzuriteCommand(node, full, $"{PathVariable}={path}");
    }

    private static bool IsNodeScript(string path)
    {
        if (path.EndsWith(".js", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".cjs", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        using var reader = new StreamReader(path);
        var firstLine = reader.ReadLine() ?? "";
        return firstLine.StartsWith("#!", StringComparison.Ordinal) && firstLine.Contains("node", StringComparison.Ordinal);
    }

    private static string AzuriteBin(string installDirectory) =>
        Path.Combine(installDirectory, "node_modules", ".bin", "azurite");

    /// <summary>
    /// Installed when npm finished (it writes <c>node_modules/.package-lock.json</c> last), the bin link exists and
    /// the installed Azurite is the pinned version (a changed pin reinstalls).
    /// </summary>
    private static bool IsInstalled(string installDirectory)
    {
        var modules = Path.Combine(installDirectory, "node_modules");
        var installedManifest = Path.Combine(modules, "azurite", "package.json");
        return File.Exists(AzuriteBin(installDirectory))
            && File.Exists(Path.Combine(modules, ".package-lock.json"))
            && File.Exists(installedManifest)
            && ReadJsonString(installedManifest, "version") == PinnedVersion(installDirectory);
    }

    private static string? PinnedVersion(string installDirectory) =>
        ReadJsonString(Path.Combine(installDirectory, "package.json"), "dependencies", "azurite");

    private static string? ReadJsonString(string path, params string[] propertyPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var element = document.RootElement;
            foreach (var name in propertyPath)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                {
                    return null;
                }
            }

            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task InstallAsync(string installDirectory, CancellationToken cancellationToken)
    {
        var npm = FindOnPath("npm") ?? throw new InvalidOperationException(
            $"Azurite is not installed in {installDirectory} and `npm` is not on PATH to install it. " + InstallHint);

        await using var installLock = await AcquireLockAsync(Path.Combine(installDirectory, ".install.lock"), cancellationToken);
        if (IsInstalled(installDirectory))
        {
            return; // another test assembly installed it while this one waited for the lock
        }

        var startInfo = new ProcessStartInfo(npm)
        {
            WorkingDirectory = installDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--prefix", installDirectory, "--no-audit", "--no-fund" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"`npm ci --prefix {installDirectory}` did not finish within {InstallTimeout.TotalMinutes:0} minutes. Output:\n{Text(output)}");
        }

        process.WaitForExit(); // drains the redirected output
        if (process.ExitCode != 0 || !IsInstalled(installDirectory))
        {
            throw new InvalidOperationException(
                $"`npm ci --prefix {installDirectory} --no-audit --no-fund` failed (exit code {process.ExitCode}), so Azurite " +
                $"could not be installed. npm needs the npm registry. Output:\n{Text(output)}");
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>An exclusive lock on a file, held across processes (flock on Unix) until disposed.</summary>
    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (waited.Elapsed < LockTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        var extensions = OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", "" } : new[] { "" };
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, program + extension);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
