using System.CommandLine;
using System.Globalization;
using System.Net;
using KDumpCloud.Cli.Commands;
using KDumpCloud.Cli.Send;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Ingest;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KDumpCloud.Relay.Tests.Ingest;

/// <summary>
/// The relay on its embedded default (no <c>KDumpStorage</c>): real UDP transfers from <c>kdumpcloud send</c>'s client,
/// the ingest core on the spool files, and crash groups in <c>crashes.db</c> in the data directory.
/// </summary>
public class EmbeddedIngestTests
{
    private static readonly KernelTimeouts TestTimeouts = KernelTimeouts.Kernel.Scaled(10);

    private static readonly Dictionary<string, string?> IngestOff = new() { ["EmbeddedIngest:Enabled"] = "false" };

    [CorpusFact]
    public async Task CorpusPanicLogs_AreGroupedAsGroupsTsvSays()
    {
        // Two groups of GROUPS.tsv, from different Macs: G01 (one MacBookPro, three boots) and G03 (a Macmini, two boots).
        var files = Corpus.Groups().Where(row => row.GroupId is "G01" or "G03").GroupBy(row => row.GroupId)
            .SelectMany(group => group.Take(group.Key == "G01" ? 3 : 2)).ToList();
        Assert.Equal(5, files.Count);
        await using var relay = await RelayUnderTest.StartAsync();

        var sent = new List<(GroupRow Row, string Name)>();
        for (var i = 0; i < files.Count; i++)
        {
            var name = PanicLogName(files[i].GroupId == "G01" ? "127.0.0.11" : "127.0.0.12", i);
            await SendAsync(relay, name, await File.ReadAllBytesAsync(Corpus.PathOf(files[i].File)), DumpKind.PanicLog,
                files[i].GroupId == "G01" ? "127.0.0.11" : "127.0.0.12");
            sent.Add((files[i], name));
        }

        var store = relay.Services.GetRequiredService<SqliteCrashStore>();
        var results = new Dictionary<string, Occurrence>();
        foreach (var (row, name) in sent)
        {
            var journal = await WaitForIngestAsync(relay, name);
            Assert.Equal(IngestStates.Recorded, journal.Ingest!.State);
            var occurrence = await store.FindOccurrenceAsync(journal.DumpId);
            Assert.NotNull(occurrence);
            Assert.Equal(OccurrenceStatus.Decoded, occurrence.Status);
            Assert.Equal(occurrence.GroupId, journal.Ingest.GroupId);
            results[name] = occurrence;
        }

        var byTsvGroup = sent.GroupBy(s => s.Row.GroupId).ToDictionary(g => g.Key, g => g.Select(s => results[s.Name].GroupId).Distinct().ToList());
        Assert.Single(byTsvGroup["G01"]);
        Assert.Single(byTsvGroup["G03"]);
        Assert.NotEqual(byTsvGroup["G01"][0], byTsvGroup["G03"][0]);
        var g01 = await store.FindGroupAsync(byTsvGroup["G01"][0]);
        Assert.Equal(3, g01!.Count);
        Assert.Equal(["127.0.0.11"], g01.Machines);
        Assert.Equal(2, (await store.FindGroupAsync(byTsvGroup["G03"][0]))!.Count);
        Assert.True(File.Exists(Path.Combine(relay.DataDirectory, SqliteCrashStore.FileName)));
    }

    [Fact]
    public async Task DumpInTheSpoolBeforeStart_IsIngestedOnceAtStart_AndNotAgainAfterAnotherRestart()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        const string name = "paniclog-xnu-11417.121.6-127.0.0.21-1a2b3c";
        await using (var spoolOnly = await RelayUnderTest.StartAsync(IngestOff, dataDirectory: dataDirectory))
        {
            await SendAsync(spoolOnly, name, ExamplePanic.Utf8, DumpKind.PanicLog, "127.0.0.21");
            var spooled = await spoolOnly.WaitForJournalAsync(name, j => j is { State: DumpState.Complete, Sha256: not null });
            Assert.Null(spooled.Ingest);
            Assert.Empty(spoolOnly.Services.GetServices<IHostedService>().OfType<EmbeddedIngestService>());
        }

        DumpIngest first;
        Guid dumpId;
        await using (var restarted = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory))
        {
            var journal = await WaitForIngestAsync(restarted, name);
            first = journal.Ingest!;
            dumpId = journal.DumpId;
            Assert.Equal(IngestStates.Recorded, first.State);
            Assert.Equal(nameof(IngestOutcome.NewGroup), first.Outcome);
            Assert.Equal(1, Service(restarted).DumpsTaken);
            var group = await restarted.Services.GetRequiredService<SqliteCrashStore>().FindGroupAsync(first.GroupId!);
            Assert.Equal(1, group!.Count);
        }

        await using var again = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory);

        // The catch-up at start decides synchronously: the recorded dump is not taken up again.
        Assert.Equal(0, Service(again).DumpsTaken);
        Assert.Equal(first, again.Spool.Find(dumpId)!.Ingest);

        // The service still works: a new dump is ingested and counts in the same group, the old one still once.
        const string second = "paniclog-xnu-11417.121.6-127.0.0.22-4d5e6f";
        await SendAsync(again, second, ExamplePanic.Utf8, DumpKind.PanicLog, "127.0.0.22");
        var secondJournal = await WaitForIngestAsync(again, second);
        Assert.Equal(first.GroupId, secondJournal.Ingest!.GroupId);
        Assert.Equal(nameof(IngestOutcome.Repeat), secondJournal.Ingest.Outcome);
        var store = again.Services.GetRequiredService<SqliteCrashStore>();
        Assert.Equal(2, (await store.FindGroupAsync(first.GroupId!))!.Count);
        Assert.Equal(2, (await store.ListOccurrencesAsync(first.GroupId!, 10)).Count);
    }

    [Fact]
    public async Task GzipCore_IsIngestedIntoTheSameGroupAsItsPanicLog()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var core = CoreFixtures.Gzip(CoreFixtures.MachOCore(ExamplePanic.Text, memoryBytes: 256 * 1024, panicOffset: 100_000));
        const string coreName = "core-xnu-11417.121.6-127.0.0.31-77aa.gz";
        const string logName = "paniclog-xnu-11417.121.6-127.0.0.32-77ab";

        await SendAsync(relay, coreName, core, DumpKind.Core, "127.0.0.31");
        await SendAsync(relay, logName, ExamplePanic.Utf8, DumpKind.PanicLog, "127.0.0.32");

        var store = relay.Services.GetRequiredService<SqliteCrashStore>();
        var coreJournal = await WaitForIngestAsync(relay, coreName);
        var logJournal = await WaitForIngestAsync(relay, logName);
        var occurrence = await store.FindOccurrenceAsync(coreJournal.DumpId);
        Assert.Equal(OccurrenceStatus.Decoded, occurrence!.Status);
        Assert.Equal(ExamplePanic.CulpritBundle, occurrence.Culprit);
        Assert.DoesNotContain(occurrence.Warnings, warning => warning.Contains("mismatch", StringComparison.Ordinal));
        Assert.Equal(coreJournal.Ingest!.GroupId, logJournal.Ingest!.GroupId);
        var group = await store.FindGroupAsync(coreJournal.Ingest.GroupId!);
        Assert.Equal(2, group!.Count);
        Assert.Equal(2, group.Machines.Count);
    }

    [Fact]
    public async Task SendExamplePanic_IsDecodedIntoARealGroup()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await KdumpCloudCommand.Create()
            .Parse(["send", "--example-panic", "--port", relay.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "--timing", "fast"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.True(exitCode == 0, error.ToString() + output);
        Assert.Contains("kdumpcloud crashes", output.ToString(), StringComparison.Ordinal);
        var name = Assert.Single(relay.Spool.Snapshot()).FileName;
        Assert.StartsWith("paniclog-xnu-", name, StringComparison.Ordinal);
        var journal = await WaitForIngestAsync(relay, name);
        var group = await relay.Services.GetRequiredService<SqliteCrashStore>().FindGroupAsync(journal.Ingest!.GroupId!);
        Assert.NotNull(group);
        Assert.NotEqual(WellKnownGroups.NoPanic, group.Id);
        Assert.Equal(ExamplePanic.CulpritBundle, group.Culprit);
        Assert.Equal("trap type 14=page fault", group.Kind);
        Assert.Equal(["24F74"], group.OsBuilds);

        // What the README's quick start shows next: the group, through the crashes command, on this data directory.
        var listed = new StringWriter();
        Assert.Equal(0, await KdumpCloudCommand.Create().Parse(["crashes", "--data-directory", relay.DataDirectory, "--json"])
            .InvokeAsync(new InvocationConfiguration { Output = listed, Error = error }));
        Assert.Contains($"\"fingerprint\":\"{group.Id}\"", listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DumpWithoutAPanic_OccurrenceCarriesTheNamesKernelTheFileAndWhenItEnded()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        const string name = "paniclog-xnu-11417.121.6-127.0.0.41-5eed";

        // Bytes with no panic in them: the kernel version can only come from the file name, through the message.
        await SendAsync(relay, name, TestContent.Random(3000, 41), DumpKind.PanicLog, "127.0.0.41");

        var journal = await WaitForIngestAsync(relay, name);
        var occurrence = await relay.Services.GetRequiredService<SqliteCrashStore>().FindOccurrenceAsync(journal.DumpId);
        Assert.NotNull(occurrence);
        Assert.Equal(OccurrenceStatus.NoPanic, occurrence.Status);
        Assert.Equal("xnu-11417.121.6", occurrence.KernelVersion);
        Assert.NotNull(journal.FinishedAt);
        Assert.Equal(journal.FinishedAt, occurrence.ReceivedAt);
        Assert.Equal(FileDumpReader.UriFor(relay.DumpPath(name)).ToString(), occurrence.DumpLocation);
        Assert.Equal(Environment.MachineName, occurrence.RelayHost);
    }

    [Fact]
    public async Task WithKDumpStorage_TheRelayDoesNotIngestItself()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["KDumpStorage"] = "UseDevelopmentStorage=true" });

        Assert.Empty(relay.Services.GetServices<IHostedService>().OfType<EmbeddedIngestService>());
        Assert.Null(relay.Services.GetService<SqliteCrashStore>());
        Assert.False(File.Exists(Path.Combine(relay.DataDirectory, SqliteCrashStore.FileName)));
    }

    private static EmbeddedIngestService Service(RelayUnderTest relay) =>
        relay.Services.GetServices<IHostedService>().OfType<EmbeddedIngestService>().Single();

    private static string PanicLogName(string address, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"paniclog-xnu-11417.121.6-{address}-{0x5f3a9c00 + index:x}");

    private static async Task SendAsync(RelayUnderTest relay, string name, byte[] content, DumpKind kind, string localAddress)
    {
        var result = await new KdumpSender(new KdumpSendOptions
        {
            Server = relay.EndPoint,
            LocalAddress = IPAddress.Parse(localAddress),
            FileName = name,
            Content = content,
            Kind = kind,
            Generation = KernelGeneration.Xnu7195Plus,
            Timeouts = TestTimeouts,
            MaxDuration = TimeSpan.FromSeconds(60),
        }).SendAsync();
        Assert.True(result.Outcome == SendOutcome.Completed, $"{name}: {result.Outcome} {result.Detail}");
    }

    /// <summary>Ingest runs after the hash, in the background; generous for a loaded 2-core machine.</summary>
    private static Task<DumpJournal> WaitForIngestAsync(RelayUnderTest relay, string name) =>
        relay.WaitForJournalAsync(name, journal => journal.Ingest is not null, timeoutMs: 60_000);
}
