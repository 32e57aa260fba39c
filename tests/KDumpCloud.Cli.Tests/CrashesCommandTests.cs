using System.Text.Json;
using KDumpCloud.Cli.Send;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Cli.Tests;

/// <summary><c>kdumpcloud crashes</c>, in process, against a SQLite store that <c>kdumpcloud ingest</c> filled.</summary>
public sealed class CrashesCommandTests : IDisposable
{
    private readonly CrashStoreFolder _folder = new();

    /// <summary>Ingests two boots of the example crash and one other crash; returns (example group, other group).</summary>
    private async Task<(string Example, string Other)> FillAsync()
    {
        var (exitCode, output, error) = await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory, "--client", "10.0.40.7:1069",
            _folder.ExampleFile("a.panic"), _folder.AnotherBoot("b.panic"));
        Assert.True(exitCode == 0, error);
        (exitCode, var other, error) = await _folder.RunAsync("ingest", "--data-directory", _folder.DataDirectory, "--client", "10.0.40.8:1069",
            _folder.OtherCrash("c.panic"));
        Assert.True(exitCode == 0, error);
        return (GroupOf(output), GroupOf(other));

        static string GroupOf(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
    }

    private async Task<List<JsonElement>> ListJsonAsync(params string[] extra)
    {
        var (exitCode, output, error) = await _folder.RunAsync(["crashes", "--data-directory", _folder.DataDirectory, "--json", .. extra]);
        Assert.True(exitCode == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    [Fact]
    public async Task Crashes_Json_OneObjectPerGroupWithTheIssuesFields()
    {
        var (example, other) = await FillAsync();

        var groups = await ListJsonAsync("--sort", "frequent");

        Assert.Equal(2, groups.Count);
        var first = groups[0];
        Assert.Equal(example, first.GetProperty("fingerprint").GetString());
        Assert.Equal(other, groups[1].GetProperty("fingerprint").GetString());
        Assert.Contains("LabSensorDriver", first.GetProperty("signature").GetString(), StringComparison.Ordinal);
        Assert.Equal("trap type 14=page fault", first.GetProperty("kind").GetString());
        Assert.Equal("org.kdumpcloud.example.LabSensorDriver", first.GetProperty("culprit").GetString());
        Assert.Equal("open", first.GetProperty("status").GetString());
        Assert.Equal(2, first.GetProperty("count").GetInt64());
        Assert.Equal(1, first.GetProperty("machines").GetInt32());
        Assert.Equal(["24F74"], first.GetProperty("osBuilds").EnumerateArray().Select(b => b.GetString()));
        Assert.True(first.GetProperty("firstSeen").GetDateTimeOffset() <= first.GetProperty("lastSeen").GetDateTimeOffset());
    }

    [Fact]
    public async Task Crashes_SortAndLimit_PickTheGroups()
    {
        var (example, _) = await FillAsync();

        var frequent = await ListJsonAsync("--sort", "frequent", "--limit", "1");

        Assert.Equal(example, Assert.Single(frequent).GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Crashes_Text_HasAHeaderAndALinePerGroup()
    {
        var (example, other) = await FillAsync();

        var (exitCode, output, _) = await _folder.RunAsync("crashes", "--data-directory", _folder.DataDirectory);

        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("GROUP", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, line => line.StartsWith(example, StringComparison.Ordinal) && line.Contains("open", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(other, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_Json_AddsOccurrences()
    {
        var (example, _) = await FillAsync();

        var (exitCode, output, error) = await _folder.RunAsync("crashes", "show", example[..8], "--data-directory", _folder.DataDirectory, "--json");

        Assert.True(exitCode == 0, error);
        var group = JsonDocument.Parse(output).RootElement;
        Assert.Equal(example, group.GetProperty("fingerprint").GetString());
        var occurrences = group.GetProperty("occurrences").EnumerateArray().ToList();
        Assert.Equal(2, occurrences.Count);
        foreach (var occurrence in occurrences)
        {
            Assert.True(Guid.TryParse(occurrence.GetProperty("dumpId").GetString(), out _));
            Assert.Equal("10.0.40.7:1069", occurrence.GetProperty("client").GetString());
            occurrence.GetProperty("receivedAt").GetDateTimeOffset();
            Assert.Equal("24F74", occurrence.GetProperty("osBuild").GetString());
            Assert.True(occurrence.GetProperty("complete").GetBoolean());
        }
    }

    [Fact]
    public async Task Show_Text_ListsTheGroupAndItsOccurrences()
    {
        var (example, _) = await FillAsync();

        var (exitCode, output, _) = await _folder.RunAsync("crashes", "show", example, "--data-directory", _folder.DataDirectory);

        Assert.Equal(0, exitCode);
        Assert.Contains($"group       {example}", output, StringComparison.Ordinal);
        Assert.Contains("occurrences (2 shown", output, StringComparison.Ordinal);
        Assert.Contains("a.panic", output, StringComparison.Ordinal);
        Assert.Contains("b.panic", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveIgnoreReopen_ChangeTheStatus()
    {
        var (example, _) = await FillAsync();

        foreach (var (command, status) in new[] { ("resolve", "resolved"), ("ignore", "ignored"), ("reopen", "open") })
        {
            var (exitCode, output, error) = await _folder.RunAsync("crashes", command, example, "--data-directory", _folder.DataDirectory);
            Assert.True(exitCode == 0, error);
            Assert.StartsWith(status + "  " + example, output, StringComparison.Ordinal);
            var listed = (await ListJsonAsync()).Single(g => g.GetProperty("fingerprint").GetString() == example);
            Assert.Equal(status, listed.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Merge_FoldsTheGroups_AndAMergedGroupCannotBeMergedOrResolved()
    {
        var (example, other) = await FillAsync();

        var (exitCode, output, error) = await _folder.RunAsync("crashes", "merge", example, other, "--data-directory", _folder.DataDirectory);

        Assert.True(exitCode == 0, error);
        Assert.Contains("count 3", output, StringComparison.Ordinal);
        var survivor = Assert.Single(await ListJsonAsync());
        Assert.Equal(example, survivor.GetProperty("fingerprint").GetString());
        Assert.Equal(3, survivor.GetProperty("count").GetInt64());
        Assert.Equal(2, survivor.GetProperty("machines").GetInt32());

        (exitCode, _, error) = await _folder.RunAsync("crashes", "merge", example, other, "--data-directory", _folder.DataDirectory);
        Assert.Equal(1, exitCode);
        Assert.Contains("already merged", error, StringComparison.Ordinal);

        (exitCode, _, error) = await _folder.RunAsync("crashes", "resolve", other, "--data-directory", _folder.DataDirectory);
        Assert.Equal(1, exitCode);
        Assert.Contains("merged into", error, StringComparison.Ordinal);

        (exitCode, output, _) = await _folder.RunAsync("crashes", "show", other, "--data-directory", _folder.DataDirectory, "--json");
        Assert.Equal(0, exitCode);
        Assert.Equal("merged", JsonDocument.Parse(output).RootElement.GetProperty("status").GetString());
        Assert.Equal(example, JsonDocument.Parse(output).RootElement.GetProperty("mergedInto").GetString());
    }

    [Fact]
    public async Task Regroup_UpToDateStore_HasNothingToChange()
    {
        await FillAsync();

        var (exitCode, output, error) = await _folder.RunAsync("crashes", "regroup", "--apply", "--data-directory", _folder.DataDirectory);

        Assert.True(exitCode == 0, error);
        Assert.Contains("3 occurrences: 3 decoded again from their stored text", output, StringComparison.Ordinal);
        Assert.Contains("groups: 2 before, 2 after; 0 occurrences move", output, StringComparison.Ordinal);
        Assert.EndsWith("nothing to change\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Regroup_OldFingerprints_DryRunShowsThePlanAndApplyWritesIt()
    {
        // Two boots of one crash recorded under two made-up older fingerprints, one of them resolved, as a version that
        // split the bug would have left them.
        Directory.CreateDirectory(_folder.DataDirectory);
        var store = new SqliteCrashStore(Path.Combine(_folder.DataDirectory, SqliteCrashStore.FileName), TimeProvider.System);
        foreach (var (old, text) in new[] { ("old1", ExamplePanic.Text), ("old2", ExampleCrashes.AnotherBoot(ExamplePanic.Text)) })
        {
            await store.RecordAsync(new Occurrence
            {
                DumpId = Guid.CreateVersion7(), GroupId = old, Fingerprint = old, FingerprintVersion = "kdc-fp-0", Signature = old, Kind = "message",
                Status = OccurrenceStatus.Decoded, ReceivedAt = DateTimeOffset.UtcNow, Client = "10.0.40.7:1069", Machine = "10.0.40.7",
                DumpLocation = "file:///nowhere", FileName = old, Complete = true, PanicText = text,
            });
        }

        await store.SetStatusAsync("old1", GroupStatus.Resolved);
        await store.SetStatusAsync("old2", GroupStatus.Resolved);

        var (exitCode, output, error) = await _folder.RunAsync("crashes", "regroup", "--data-directory", _folder.DataDirectory);
        Assert.True(exitCode == 0, error);
        Assert.Contains("groups: 2 before, 1 after; 2 occurrences move", output, StringComparison.Ordinal);
        Assert.Contains("  joins  ", output, StringComparison.Ordinal);
        Assert.EndsWith("dry run: nothing written; run again with --apply to regroup\n", output, StringComparison.Ordinal);
        Assert.Equal(2, (await ListJsonAsync()).Count);

        (exitCode, output, error) = await _folder.RunAsync("crashes", "regroup", "--apply", "--data-directory", _folder.DataDirectory);
        Assert.True(exitCode == 0, error);
        Assert.Contains("applied in ", output, StringComparison.Ordinal);
        var group = Assert.Single(await ListJsonAsync());
        Assert.Equal(2, group.GetProperty("count").GetInt32());
        Assert.Equal("resolved", group.GetProperty("status").GetString());
    }

    [Fact]
    public async Task UnknownGroup_ExitsOneAndSaysSo()
    {
        await FillAsync();

        var (exitCode, _, error) = await _folder.RunAsync("crashes", "show", "ffffffffffff", "--data-directory", _folder.DataDirectory);

        Assert.Equal(1, exitCode);
        Assert.Contains("there is no group ffffffffffff", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoStoreAtThePath_ExitsTwoAndSaysWhereItLooked()
    {
        var (exitCode, _, error) = await _folder.RunAsync("crashes", "--data-directory", _folder.DataDirectory);

        Assert.Equal(2, exitCode);
        Assert.Contains("no crash store at " + Path.Combine(_folder.DataDirectory, "crashes.db"), error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.DataDirectory, "crashes.db")), "looking must not create a store");
    }

    [Fact]
    public async Task Help_ExplainsTheSubcommandsAndTheStore()
    {
        var (exitCode, output, _) = await _folder.RunAsync("crashes", "--help");

        Assert.Equal(0, exitCode);
        foreach (var word in new[] { "show", "resolve", "ignore", "reopen", "merge", "--data-directory", "--json", "--sort", "crashes.db", "KDumpStorage", "KDumpStorage__tableServiceUri", "Ingest__Azure__GroupsTable" })
        {
            Assert.Contains(word, output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _folder.Dispose();
}
