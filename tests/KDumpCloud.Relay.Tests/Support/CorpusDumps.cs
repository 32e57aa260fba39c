using System.Globalization;
using System.Net;
using System.Text;
using KDumpCloud.Cli.Send;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>One real corpus panic as a Mac of the test lab sends it: a paniclog of the file's bytes, or a gzip core
/// holding the file's text in its memory.</summary>
/// <param name="CorpusFile">The corpus file the panic comes from.</param>
/// <param name="GroupId">Its group in GROUPS.tsv: dumps with the same id must share a crash group, others must not.</param>
/// <param name="Mac">The IPv4 address the Mac sends from (the group's machines are counted by it).</param>
/// <param name="Name">The dump's file name, as the kernel would name it.</param>
/// <param name="Kind">Paniclog or core.</param>
/// <param name="Content">The bytes the Mac sends.</param>
internal sealed record CorpusDump(string CorpusFile, string GroupId, string Mac, string Name, DumpKind Kind, byte[] Content);

/// <summary>
/// Real corpus panics for the end-to-end ingest tests, chosen to test grouping from both sides: three multi-file groups
/// of GROUPS.tsv (one of them also reached through a gzip core), and two singletons that are hard negatives of each
/// other (same kext, different bugs). Group ids are read from GROUPS.tsv, never written here.
/// </summary>
internal static class CorpusDumps
{
    private static readonly KernelTimeouts TestTimeouts = KernelTimeouts.Kernel.Scaled(10);

    /// <summary>(file, Mac): G01 from two Macs (plus a third by a core), G02 from two, G03 twice from one, and the
    /// singletons from one Mac that panicked twice for different reasons.</summary>
    private static readonly (string File, string Mac)[] PanicLogs =
    [
        ("001-nvidia-resman-thread-invoke-a.txt", "127.0.0.51"),
        ("002-nvidia-resman-thread-invoke-b.txt", "127.0.0.51"),
        ("003-nvidia-resman-thread-invoke-c.txt", "127.0.0.52"),
        ("017-ionvme-fatal-error-owc-10.14.6-indented.txt", "127.0.0.54"),
        ("018-ionvme-fatal-error-hackintosh-10.15.7.txt", "127.0.0.55"),
        ("026-watchdog-timeout-hackintosh-macmini8-1-a.txt", "127.0.0.56"),
        ("027-watchdog-timeout-hackintosh-macmini8-1-b.txt", "127.0.0.56"),
        ("008-iousbfamily-iogmd-not-wired.txt", "127.0.0.57"),
        ("009-iousbfamily-overflow-detected.txt", "127.0.0.57"),
    ];

    /// <summary>The G01 panic that reaches the relay inside a gzip core rather than as a paniclog.</summary>
    private const string CoreFile = "004-nvidia-resman-thread-invoke-d.txt";
    private const string CoreMac = "127.0.0.53";

    /// <summary>The dumps, in sending order; needs the corpus (use under <see cref="CorpusFactAttribute"/>).</summary>
    public static IReadOnlyList<CorpusDump> All()
    {
        var groupOf = Corpus.Groups().ToDictionary(row => row.File, row => row.GroupId, StringComparer.Ordinal);
        var dumps = PanicLogs.Select((entry, index) => new CorpusDump(entry.File, groupOf[entry.File], entry.Mac,
                Name("paniclog", entry.Mac, index, string.Empty), DumpKind.PanicLog, File.ReadAllBytes(Corpus.PathOf(entry.File))))
            .ToList();
        var text = File.ReadAllText(Corpus.PathOf(CoreFile), Encoding.UTF8);
        var core = CoreFixtures.Gzip(CoreFixtures.MachOCore(text, memoryBytes: 512 * 1024, panicOffset: 300_000, seed: 4));
        dumps.Add(new CorpusDump(CoreFile, groupOf[CoreFile], CoreMac, Name("core", CoreMac, dumps.Count, ".gz"), DumpKind.Core, core));
        return dumps;
    }

    /// <summary>Sends each dump with <c>kdumpcloud send</c>'s client from its Mac's address, one after another.</summary>
    public static async Task SendAllAsync(IPEndPoint relay, IEnumerable<CorpusDump> dumps, CancellationToken cancellationToken)
    {
        foreach (var dump in dumps)
        {
            var result = await new KdumpSender(new KdumpSendOptions
            {
                Server = relay,
                LocalAddress = IPAddress.Parse(dump.Mac),
                FileName = dump.Name,
                Content = dump.Content,
                Kind = dump.Kind,
                Generation = KernelGeneration.Xnu7195Plus,
                Timeouts = TestTimeouts,
                MaxDuration = TimeSpan.FromSeconds(60),
            }).SendAsync(cancellationToken);
            Assert.True(result.Outcome == SendOutcome.Completed, $"{dump.Name}: {result.Outcome} {result.Detail}");
        }
    }

    /// <summary>
    /// Every dump decoded; dumps of one GROUPS.tsv group in one crash group and dumps of different groups in different
    /// ones; each group's count and distinct Macs as sent; and no group in the store beyond those.
    /// </summary>
    public static async Task AssertGroupedAsGroupsTsvSaysAsync(ICrashStore store, IReadOnlyDictionary<CorpusDump, Occurrence> occurrences,
        CancellationToken cancellationToken)
    {
        foreach (var (dump, occurrence) in occurrences)
        {
            Assert.True(occurrence.Status == OccurrenceStatus.Decoded, $"{dump.CorpusFile} ({dump.Kind}): {occurrence.Status}, {string.Join("; ", occurrence.Warnings)}");
            Assert.Equal(dump.Mac, occurrence.Machine);
        }

        var dumps = occurrences.Keys.ToList();
        for (var i = 0; i < dumps.Count; i++)
        {
            for (var j = i + 1; j < dumps.Count; j++)
            {
                var (a, b) = (dumps[i], dumps[j]);
                var sameGroup = occurrences[a].GroupId == occurrences[b].GroupId;
                Assert.True(sameGroup == (a.GroupId == b.GroupId),
                    $"{a.CorpusFile} ({a.GroupId}, {a.Kind}) and {b.CorpusFile} ({b.GroupId}, {b.Kind}) are in "
                    + (sameGroup ? "one crash group" : "different crash groups")
                    + $": {occurrences[a].Signature} / {occurrences[b].Signature}");
            }
        }

        foreach (var tsvGroup in dumps.GroupBy(dump => dump.GroupId))
        {
            var group = await store.FindGroupAsync(occurrences[tsvGroup.First()].GroupId, cancellationToken);
            Assert.NotNull(group);
            Assert.True(tsvGroup.Count() == group.Count, $"{tsvGroup.Key}: {tsvGroup.Count()} dumps sent, the group counts {group.Count}");
            Assert.Equal(tsvGroup.Select(dump => dump.Mac).Distinct().Order(StringComparer.Ordinal), group.Machines.Order(StringComparer.Ordinal));
            Assert.Equal(GroupStatus.Open, group.Status);
            Assert.Contains(group.SampleDumpId, tsvGroup.Select(dump => occurrences[dump].DumpId));
        }

        var listed = await store.ListGroupsAsync(GroupOrder.MostFrequent, 100, cancellationToken);
        Assert.Equal(dumps.Select(dump => dump.GroupId).Distinct().Count(), listed.Count);
        Assert.Equal(dumps.Count, listed.Sum(group => group.Count));
    }

    private static string Name(string kind, string mac, int index, string suffix) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}-xnu-11417.121.6-{mac}-{0x6c0e5000 + index:x}{suffix}");
}
