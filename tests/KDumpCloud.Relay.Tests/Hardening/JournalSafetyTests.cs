using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 3: a journal is never written through a link. Before the fix the temporary journal was opened with
/// create semantics that follow links, so a link planted at <c>journal/&lt;name&gt;.json.tmp</c> made the relay
/// overwrite, or create, a file outside its data directory.
/// </summary>
public class JournalSafetyTests
{
    [Fact]
    public async Task LinkPlantedAtTheTemporaryJournal_IsNeverWrittenThrough()
    {
        var outside = OutsideDirectory();
        var precious = Path.Combine(outside, "precious.txt");
        var missing = Path.Combine(outside, "created-by-relay.txt");
        await File.WriteAllTextAsync(precious, "not the relay's");
        await using var relay = await RelayUnderTest.StartAsync();
        var temporary = relay.Spool.JournalPath("core-planted") + ".tmp";

        // Planted after start (recovery removes leftover temporaries), before the first journal write.
        File.CreateSymbolicLink(temporary, precious);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-planted"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2, 3]), 1);

        // Again before the final journal write, this time to a file that does not exist yet.
        await Eventually.TrueAsync(() => UnixEntry.Kind(temporary) == SpoolEntryKind.Missing, what: "the first write done");
        File.CreateSymbolicLink(temporary, missing);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        // Every journal writer done, the embedded ingest's result last, so no write's temporary is there by right.
        var journal = await relay.WaitForJournalAsync("core-planted", j => j is { State: DumpState.Complete, Sha256: not null, Ingest: not null });

        Assert.Equal("not the relay's", await File.ReadAllTextAsync(precious));
        Assert.False(File.Exists(missing), "the relay created a file outside its data directory");
        Assert.Equal(3, journal.FileLength);
        Assert.Equal(SpoolEntryKind.OwnedFile, UnixEntry.Kind(relay.Spool.JournalPath("core-planted")));
        Assert.Equal(SpoolEntryKind.Missing, UnixEntry.Kind(temporary));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LinkPlantedAtTheJournal_IsReplacedNotFollowed(bool targetExists)
    {
        var outside = OutsideDirectory();
        var target = Path.Combine(outside, "target.json");
        if (targetExists)
        {
            await File.WriteAllTextAsync(target, "{}");
        }

        await using var relay = await RelayUnderTest.StartAsync();
        File.CreateSymbolicLink(relay.Spool.JournalPath("core-linked"), target);
        File.CreateSymbolicLink(relay.Spool.JournalPath("core-linked") + ".tmp", target);
        using var mac = new RawKdumpPeer(relay.EndPoint);

        await mac.SendAllAsync("core-linked", [4, 5]);
        var journal = await relay.WaitForJournalAsync("core-linked", j => j is { State: DumpState.Complete, Sha256: not null });

        Assert.Equal(2, journal.FileLength);
        Assert.Equal(SpoolEntryKind.OwnedFile, UnixEntry.Kind(relay.Spool.JournalPath("core-linked")));
        if (targetExists)
        {
            Assert.Equal("{}", await File.ReadAllTextAsync(target));
        }
        else
        {
            Assert.False(File.Exists(target), "the relay created a file outside its data directory");
        }
    }

    private static string OutsideDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n"), "outside");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
