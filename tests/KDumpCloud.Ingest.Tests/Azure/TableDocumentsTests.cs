using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Grouping;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Tests.Support;

namespace KDumpCloud.Ingest.Tests.Azure;

/// <summary>The table store's documents stay within one 64 KiB string property, whatever a panic or a person put in them.</summary>
public sealed class TableDocumentsTests
{
    [Fact]
    public void Fit_OrdinaryOccurrence_IsUnchanged()
    {
        var occurrence = TestOccurrences.For("abcd");

        Assert.Same(occurrence.Warnings, TableDocuments.Fit(occurrence).Warnings);
        Assert.Equal(occurrence.ToJson(), TableDocuments.Fit(occurrence).ToJson());
    }

    [Fact]
    public void Fit_GroupOfOverlongValues_DropsNewestMachinesAndKernelsButNoBuild()
    {
        var group = new CrashGroup
        {
            Id = "abcd",
            FingerprintVersion = "kdc-fp-1",
            Signature = new string('s', TableDocuments.MaxTextChars),
            Kind = "message",
            Status = GroupStatus.Open,
            FirstSeen = TestOccurrences.Start,
            LastSeen = TestOccurrences.Start,
            Count = 1000,
            Machines = Values('m'),
            OsBuilds = Values('b'),
            Kernels = Values('k'),
            SampleDumpId = Guid.NewGuid(),
        };

        var (fitted, json) = TableDocuments.Fit(group);

        Assert.InRange(json.Length, 1, TableDocuments.MaxChars);
        Assert.Equal(GroupFolding.MaxListEntries, fitted.OsBuilds.Count);
        Assert.True(fitted.Machines.Count + fitted.Kernels.Count < 2 * GroupFolding.MaxListEntries);
        Assert.True(fitted.MachinesSaturated);
        Assert.Equal(1000, fitted.Count);
        Assert.Equal(group.Machines.Take(fitted.Machines.Count), fitted.Machines);

        static string[] Values(char tag) =>
            [.. Enumerable.Range(0, GroupFolding.MaxListEntries).Select(i => $"{tag}{i:D3}" + new string('é', 150))];
    }

    [Fact]
    public void Fit_CountedDumps_KeepsTheNewestWithinBounds()
    {
        var counted = Enumerable.Range(0, 300)
            .Select(i => new CountedDump(Guid.NewGuid(), IngestOutcome.Regression, "first seen on OS build " + new string('x', 100), TestOccurrences.Start.AddMinutes(i)))
            .ToList();
        var newest = counted[^1];

        var json = TableDocuments.Fit(counted);

        Assert.InRange(json.Length, 1, TableDocuments.MaxChars);
        Assert.InRange(counted.Count, 1, TableDocuments.MaxCountedDumps);
        Assert.Equal(newest, counted[^1]);
        Assert.Equal(counted, TableJson.ReadCounted(json));
    }

    [Fact]
    public void GroupRow_EscapesKeyCharactersInjectively()
    {
        Assert.Equal("a%002Fb", TableKeys.GroupRow("a/b"));
        Assert.NotEqual(TableKeys.GroupRow("a%002Fb"), TableKeys.GroupRow("a/b"));
        Assert.DoesNotContain(TableKeys.GroupRow("x/\\#?\u0000\u007f\u009f"), c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        Assert.Throws<ArgumentException>(() => TableKeys.GroupRow(new string('a', TableKeys.MaxGroupIdLength + 1)));
    }

    [Fact]
    public void IndexRow_SortsNewestFirst()
    {
        var id = Guid.NewGuid();
        Assert.True(string.CompareOrdinal(TableKeys.IndexRow(TestOccurrences.Start.AddSeconds(1), id), TableKeys.IndexRow(TestOccurrences.Start, id)) < 0);
    }
}
