using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Regrouping;
using KDumpCloud.Ingest.Tests.Support;
using KDumpCloud.Panics.Fingerprinting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Tests.Stores;

/// <summary>Regrouping, in every store: occurrences recorded under an older fingerprint (here made-up "old" ids, as a
/// version that split one bug in two would have left them) are decoded again from their stored text or their dump and
/// mapped onto the current fingerprint's groups, keeping statuses and the merges people made.</summary>
public abstract partial class CrashStoreContract
{
    [Fact]
    public async Task Regroup_OneBugSplitByAnOldVersion_BecomesOneGroupThatKeepsItsStatus()
    {
        var store = await CreateStoreAsync();
        var first = await RecordOldAsync(store, "old-a1", PanicTexts.Intel("AppleFoo", boot: 1));
        var second = await RecordOldAsync(store, "old-a2", PanicTexts.Intel("AppleFoo", boot: 2));
        var other = await RecordOldAsync(store, "old-b", PanicTexts.Intel("AppleBar", boot: 3));
        await store.SetStatusAsync("old-a1", GroupStatus.Resolved);
        await store.SetStatusAsync("old-a2", GroupStatus.Resolved);

        var summary = await Regrouper(store).RegroupAsync(apply: true, CancellationToken.None);

        var foo = FingerprintOf(PanicTexts.Intel("AppleFoo", boot: 1));
        Assert.Equal(foo, FingerprintOf(PanicTexts.Intel("AppleFoo", boot: 2)));
        var live = await store.ListGroupsAsync(GroupOrder.MostFrequent, 10);
        Assert.Equal(2, live.Count);
        var fooGroup = Assert.Single(live, g => g.Id == foo);
        Assert.Equal(2, fooGroup.Count);
        Assert.Equal(GroupStatus.Resolved, fooGroup.Status); // not resurrected
        Assert.Equal(Fingerprinter.Version, fooGroup.FingerprintVersion);
        Assert.Equal(GroupStatus.Open, Assert.Single(live, g => g.Id != foo).Status);
        Assert.Equal(foo, (await store.FindGroupAsync("old-a1"))!.MergedInto); // old links land on the new group
        Assert.Equal(foo, (await store.FindGroupAsync("old-a2"))!.MergedInto);
        Assert.Equal(foo, (await store.FindOccurrenceAsync(first.DumpId))!.GroupId);
        Assert.Equal(foo, (await store.FindOccurrenceAsync(second.DumpId))!.Fingerprint);
        Assert.Equal(FingerprintOf(PanicTexts.Intel("AppleBar", boot: 3)), (await store.FindOccurrenceAsync(other.DumpId))!.GroupId);
        Assert.Equal(2, (await store.ListOccurrencesAsync(foo, 10)).Count);
        Assert.Equal((3, 3, 0, 3, 2), (summary.Scanned, summary.FromStoredText, summary.Kept, summary.GroupsBefore, summary.GroupsAfter));
        Assert.Single(summary.Joined);
    }

    [Fact]
    public async Task Regroup_GroupsAPersonMerged_StayTogether()
    {
        var store = await CreateStoreAsync();
        await RecordOldAsync(store, "old-c", PanicTexts.Intel("AppleBaz", boot: 1));
        await RecordOldAsync(store, "old-c", PanicTexts.Intel("AppleBaz", boot: 2));
        var merged = await RecordOldAsync(store, "old-d", PanicTexts.Intel("AppleQux", boot: 3));
        await store.MergeAsync("old-c", "old-d");

        await Regrouper(store).RegroupAsync(apply: true, CancellationToken.None);

        var baz = FingerprintOf(PanicTexts.Intel("AppleBaz", boot: 1));
        var qux = FingerprintOf(PanicTexts.Intel("AppleQux", boot: 3));
        var group = Assert.Single(await store.ListGroupsAsync(GroupOrder.Newest, 10));
        Assert.Equal(baz, group.Id);
        Assert.Equal(3, group.Count);
        Assert.Equal(baz, (await store.FindGroupAsync(qux))!.MergedInto); // later occurrences of the other bug count here too
        var occurrence = (await store.FindOccurrenceAsync(merged.DumpId))!;
        Assert.Equal((baz, qux), (occurrence.GroupId, occurrence.Fingerprint));
        Assert.Equal(IngestOutcome.Repeat, (await store.RecordAsync(Occurrence(qux, PanicTexts.Intel("AppleQux", boot: 4)))).Outcome);
        Assert.Equal(4, (await store.FindGroupAsync(baz))!.Count);
    }

    [Fact]
    public async Task Regroup_AppliedTwice_ChangesNothingTheSecondTime()
    {
        var store = await CreateStoreAsync();
        await RecordOldAsync(store, "old-e1", PanicTexts.Intel("AppleEel", boot: 1));
        await RecordOldAsync(store, "old-e2", PanicTexts.Intel("AppleEel", boot: 2));
        await store.SetStatusAsync("old-e2", GroupStatus.Ignored);
        await Regrouper(store).RegroupAsync(apply: true, CancellationToken.None);
        var before = await store.ListGroupsAsync(GroupOrder.Newest, 10);

        var again = await Regrouper(store).RegroupAsync(apply: true, CancellationToken.None);

        Assert.Equal((0, 0), (again.Moved, again.GroupsWritten));
        var after = await store.ListGroupsAsync(GroupOrder.Newest, 10);
        Assert.Equal(before.Select(g => g.ToJson()), after.Select(g => g.ToJson()));
        Assert.Equal(GroupStatus.Open, Assert.Single(after).Status); // one source open, one ignored: open
    }

    [Fact]
    public async Task Regroup_DryRun_WritesNothing()
    {
        var store = await CreateStoreAsync();
        var occurrence = await RecordOldAsync(store, "old-f", PanicTexts.Intel("AppleFig", boot: 1));

        var summary = await Regrouper(store).RegroupAsync(apply: false, CancellationToken.None);

        Assert.Equal((1, 1), (summary.Moved, summary.GroupsAfter));
        Assert.Equal("old-f", (await store.FindOccurrenceAsync(occurrence.DumpId))!.GroupId);
        Assert.Equal(GroupStatus.Open, (await store.FindGroupAsync("old-f"))!.Status);
    }

    [Fact]
    public async Task Regroup_OccurrenceWithoutText_IsDecodedFromItsDumpOrKept()
    {
        var store = await CreateStoreAsync();
        using var spool = new TempDirectory();
        var dumpPath = Path.Combine(spool.Path, "paniclog-1");
        await File.WriteAllTextAsync(dumpPath, PanicTexts.Intel("AppleGum", boot: 1));
        var fromDump = await store.RecordAsync(TestOccurrences.For("old-g") with { DumpLocation = FileDumpReader.UriFor(dumpPath).ToString() });
        var gone = await store.RecordAsync(TestOccurrences.For("old-h") with { DumpLocation = FileDumpReader.UriFor(Path.Combine(spool.Path, "gone")).ToString() });
        var failed = await store.RecordAsync(TestOccurrences.For(WellKnownGroups.IngestFailed) with { Status = OccurrenceStatus.Failed });

        var summary = await Regrouper(store, new FileDumpReader()).RegroupAsync(apply: true, CancellationToken.None);

        Assert.Equal((1, 2), (summary.FromDump, summary.Kept));
        Assert.Equal(FingerprintOf(PanicTexts.Intel("AppleGum", boot: 1)), (await store.FindOccurrenceAsync(fromDump.Occurrence.DumpId))!.GroupId);
        Assert.Equal("old-h", (await store.FindOccurrenceAsync(gone.Occurrence.DumpId))!.GroupId);
        Assert.Equal(WellKnownGroups.IngestFailed, (await store.FindOccurrenceAsync(failed.Occurrence.DumpId))!.GroupId);
    }

    [Fact]
    public async Task ScanOccurrences_ReturnsThePanicTextStoredBesideTheDocument()
    {
        var store = await CreateStoreAsync();
        var text = PanicTexts.Intel("AppleHop", boot: 1);
        var recorded = await RecordOldAsync(store, "old-i", text);

        var scanned = await store.ScanOccurrencesAsync().SingleAsync();

        Assert.Equal(recorded.DumpId, scanned.DumpId);
        Assert.Equal(text, scanned.PanicText);
        Assert.Null((await store.FindOccurrenceAsync(recorded.DumpId))!.PanicText); // not carried in every read
    }

    private Regrouper Regrouper(ICrashStore store, FileDumpReader? reader = null) => new(store, reader, Options.Create(new IngestOptions()), Time);

    private static string FingerprintOf(string text) => Fingerprinter.Compute(Panics.Decoding.PanicDecoder.Decode(text)).Hash;

    private static async Task<Occurrence> RecordOldAsync(ICrashStore store, string oldFingerprint, string text) =>
        (await store.RecordAsync(Occurrence(oldFingerprint, text))).Occurrence;

    private static Occurrence Occurrence(string fingerprint, string text) =>
        TestOccurrences.For(fingerprint, machine: $"10.0.40.{text.Length % 200}", osBuild: "19E287") with { PanicText = text, FingerprintVersion = "kdc-fp-0" };
}
