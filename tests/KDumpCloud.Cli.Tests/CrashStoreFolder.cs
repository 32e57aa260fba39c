using KDumpCloud.Cli.Send;

namespace KDumpCloud.Cli.Tests;

/// <summary>A temporary data directory for <c>ingest</c> and <c>crashes</c>, with dump files to feed them.</summary>
internal sealed class CrashStoreFolder : IDisposable
{
    public CrashStoreFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "kdumpcloud-cli-tests", Guid.NewGuid().ToString("n"));
        DataDirectory = Path.Combine(Root, "data");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string DataDirectory { get; }

    /// <summary>The example panic as a file, optionally changed (another boot of the same crash, or another crash).</summary>
    public string ExampleFile(string name, Func<string, string>? change = null)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, (change ?? (text => text))(ExamplePanic.Text));
        return path;
    }

    /// <summary>Another boot of the example crash (<see cref="ExampleCrashes.AnotherBoot"/>).</summary>
    public string AnotherBoot(string name) => ExampleFile(name, ExampleCrashes.AnotherBoot);

    /// <summary>A different crash (<see cref="ExampleCrashes.OtherCrash"/>).</summary>
    public string OtherCrash(string name) => ExampleFile(name, ExampleCrashes.OtherCrash);

    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CommandLineTests.RunAsync(args);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
