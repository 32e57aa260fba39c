using KDumpCloud.TestSupport;

namespace KDumpCloud.Cli.Tests;

/// <summary><c>kdumpcloud ingest FILE…</c>, in process, into a SQLite store in a temporary folder.</summary>
public sealed class IngestCommandTests : IDisposable
{
    private readonly CrashStoreFolder _folder = new();

    [Fact]
    public async Task Ingest_Files_PrintsOneLinePerFileWithOutcomeGroupAndSignature()
    {
        var (exitCode, output, error) = await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory,
            _folder.ExampleFile("a.panic"), _folder.AnotherBoot("b.panic"), _folder.OtherCrash("c.panic"));

        Assert.True(exitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("new ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("repeat ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("new ", lines[2], StringComparison.Ordinal);
        var groups = lines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
        Assert.Equal(groups[0], groups[1]);
        Assert.NotEqual(groups[0], groups[2]);
        Assert.Contains("LabSensorDriver | trap type 14=page fault", lines[0], StringComparison.Ordinal);
        Assert.Contains("count 2", lines[1], StringComparison.Ordinal);
        Assert.Contains("BenchMotorController", lines[2], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder.DataDirectory, "crashes.db")));
    }

    [Fact]
    public async Task Ingest_SameFileTwice_CountsOnce()
    {
        var file = _folder.ExampleFile("again.panic");
        await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory, file);

        var (exitCode, output, _) = await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory, file);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("recorded-before ", output, StringComparison.Ordinal);
        Assert.Contains("count 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_MissingFile_IsReportedAndTheOthersAreStillRecorded()
    {
        var (exitCode, output, error) = await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory,
            Path.Combine(_folder.Root, "nowhere.panic"), _folder.ExampleFile("here.panic"));

        Assert.Equal(1, exitCode);
        Assert.Contains("nowhere.panic", error, StringComparison.Ordinal);
        Assert.StartsWith("new ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_NotAPanic_IsRecordedInTheNoPanicGroup()
    {
        var path = Path.Combine(_folder.Root, "noise.bin");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 31))]);

        var (exitCode, output, _) = await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory, path);

        Assert.Equal(0, exitCode);
        Assert.Contains("no-panic-found", output, StringComparison.Ordinal);
    }

    [CorpusFact]
    public async Task Ingest_CorpusFiles_GroupAsGroupsTsvSays()
    {
        var rows = Corpus.Groups().Where(row => row.GroupId is "G01" or "G02").GroupBy(row => row.GroupId).SelectMany(g => g.Take(2)).ToList();

        var (exitCode, output, error) = await _folder.RunAsync(
            ["ingest", "--data-directory", _folder.DataDirectory, .. rows.Select(row => Corpus.PathOf(row.File))]);

        Assert.True(exitCode == 0, error);
        var groupOf = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
        Assert.Equal(groupOf[0], groupOf[1]);
        Assert.Equal(groupOf[2], groupOf[3]);
        Assert.NotEqual(groupOf[0], groupOf[2]);
    }

    [Fact]
    public async Task Ingest_WithoutFiles_SaysTheQueueNeedsKDumpStorage()
    {
        var (exitCode, _, error) = await _folder.RunAsync("ingest", "--once");

        Assert.Equal(2, exitCode);
        Assert.Contains("KDumpStorage", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_IdentityFormWithoutQueueServiceUri_ExitsTwoNamingTheKey()
    {
        var environment = new Dictionary<string, string>
        {
            ["KDumpStorage__blobServiceUri"] = "https://lab.blob.core.windows.net",
            ["KDumpStorage__tableServiceUri"] = "https://lab.table.core.windows.net",
        };

        var (exitCode, _, error) = await CommandLineTests.RunAsync(environment, CancellationToken.None, "ingest", "--once");

        Assert.Equal(2, exitCode);
        Assert.Contains("KDumpStorage__queueServiceUri", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_UnusableConnectionString_ExitsTwoWithoutQuotingIt()
    {
        var environment = new Dictionary<string, string> { ["KDumpStorage"] = "AccountKey=secret-looking-value;nonsense" };

        var (exitCode, _, error) = await CommandLineTests.RunAsync(environment, CancellationToken.None, "ingest", "--once");

        Assert.Equal(2, exitCode);
        Assert.Contains("KDumpStorage", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-looking-value", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--queue", "Dump_Ingest")]
    [InlineData("--queue", "a-queue-name-that-leaves-no-room-for-the-poison-suffix-xxxxx")]
    [InlineData("--visibility-timeout", "-1")]
    public async Task Ingest_BadQueueOption_IsAParseError(string option, string value)
    {
        var (exitCode, _, error) = await _folder.RunAsync("ingest", "--once", option, value);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_Help_ExplainsTheQueueWorker()
    {
        var (exitCode, output, _) = await _folder.RunAsync("ingest", "--help");

        Assert.Equal(0, exitCode);
        foreach (var word in new[] { "--queue", "--once", "--visibility-timeout", "KDumpStorage", "KDumpStorage__queueServiceUri", "-poison", "dump-ingest" })
        {
            Assert.Contains(word, output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _folder.Dispose();
}
