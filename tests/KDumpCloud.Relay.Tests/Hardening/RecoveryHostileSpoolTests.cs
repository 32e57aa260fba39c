using System.Security.Cryptography;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using Mono.Unix.Native;

namespace KDumpCloud.Relay.Tests.Hardening;

/// <summary>
/// Issue 6 item 4: recovery considers only regular files the relay owns and does slow work after the relay serves.
/// Before the fix a dangling link or a directory named like a journal aborted start-up, a link to <c>/dev/zero</c>
/// was hashed forever, a link out of the spool was hashed and recorded, and multi-GiB dumps were hashed before the
/// service reported ready (long enough for systemd to kill and restart it in a loop).
/// </summary>
public class RecoveryHostileSpoolTests
{
    [Fact]
    public async Task HostileEntries_StartPromptlyServeAndLeaveThemUntouchedAndUnrecorded()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var dumps = Path.Combine(dataDirectory, "dumps");
        var journals = Path.Combine(dataDirectory, "journal");
        Directory.CreateDirectory(dumps);
        Directory.CreateDirectory(journals);
        var outside = Path.Combine(Path.GetDirectoryName(dataDirectory)!, "outside");
        Directory.CreateDirectory(outside);
        var secret = Path.Combine(outside, "secret");
        var linked = Path.Combine(outside, "hard-linked");
        await File.WriteAllBytesAsync(secret, [1, 2, 3, 4]);
        await File.WriteAllBytesAsync(linked, [5, 6, 7]);

        File.CreateSymbolicLink(Path.Combine(dumps, "core-dangling"), Path.Combine(outside, "nothing-here"));
        File.CreateSymbolicLink(Path.Combine(dumps, "core-zero"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(dumps, "core-outside"), secret);
        Assert.Equal(0, Syscall.mkfifo(Path.Combine(dumps, "core-fifo"), FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        Assert.Equal(0, Syscall.link(linked, Path.Combine(dumps, "core-hardlink")));
        Directory.CreateDirectory(Path.Combine(dumps, "core-directory"));
        await File.WriteAllBytesAsync(Path.Combine(dumps, "core-dirjournal"), [8, 8]);
        Directory.CreateDirectory(Path.Combine(journals, "core-dirjournal.json"));
        Directory.CreateDirectory(Path.Combine(journals, "core-lonely.json"));
        // Journals that are not files the relay wrote: a link to /dev/zero and a FIFO (reading either never ends).
        await File.WriteAllBytesAsync(Path.Combine(dumps, "core-zerojournal"), [9]);
        File.CreateSymbolicLink(Path.Combine(journals, "core-zerojournal.json"), "/dev/zero");
        await File.WriteAllBytesAsync(Path.Combine(dumps, "core-fifojournal"), [9]);
        Assert.Equal(0, Syscall.mkfifo(Path.Combine(journals, "core-fifojournal.json"), FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        string[] hostile = ["core-dangling", "core-zero", "core-outside", "core-fifo", "core-hardlink", "core-directory", "core-dirjournal",
            "core-lonely", "core-zerojournal", "core-fifojournal"];
        var kinds = hostile.ToDictionary(name => name, name => (UnixEntry.Kind(Path.Combine(dumps, name)), UnixEntry.Kind(Path.Combine(journals, name + ".json"))));

        await using var relay = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory).WaitAsync(TimeSpan.FromSeconds(10));

        // It serves, and its background work (one queue: recovery's hashes first) gets to the new dump's hash: nothing
        // hostile was queued ahead of it forever.
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(5000, 4);
        await mac.SendAllAsync("core-normal", content);
        var journal = await relay.WaitForJournalAsync("core-normal", j => j is { State: DumpState.Complete, Sha256: not null });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), journal.Sha256);

        foreach (var name in hostile)
        {
            Assert.Equal(kinds[name], (UnixEntry.Kind(Path.Combine(dumps, name)), UnixEntry.Kind(Path.Combine(journals, name + ".json"))));
        }

        Assert.Equal(Path.Combine(outside, "nothing-here"), new FileInfo(Path.Combine(dumps, "core-dangling")).LinkTarget);
        Assert.Equal("/dev/zero", new FileInfo(Path.Combine(dumps, "core-zero")).LinkTarget);
        Assert.Equal(secret, new FileInfo(Path.Combine(dumps, "core-outside")).LinkTarget);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await File.ReadAllBytesAsync(secret));
        Assert.Equal(new byte[] { 5, 6, 7 }, await File.ReadAllBytesAsync(linked));
        Assert.Equal(new byte[] { 8, 8 }, await File.ReadAllBytesAsync(Path.Combine(dumps, "core-dirjournal")));
        Assert.False(File.Exists(Path.Combine(outside, "nothing-here")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(journals, "core-dirjournal.json")));

        // Unrecorded: only the normal dump is held and counted, and only it has a journal file. The relay is stopped
        // before the listing: the embedded ingest may still be rewriting core-normal's journal (a .tmp beside it).
        Assert.Equal(1, relay.Spool.Count);
        Assert.Equal(content.Length, relay.Spool.UsedBytes);
        await relay.StopAsync();
        Assert.Equal(["core-dirjournal.json", "core-fifojournal.json", "core-lonely.json", "core-normal.json", "core-zerojournal.json"],
            Directory.GetFileSystemEntries(journals).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LargeDumpLeftByAStoppedRelay_IsJournaledAtStartAndHashedInTheBackground()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var dumps = Path.Combine(dataDirectory, "dumps");
        Directory.CreateDirectory(dumps);
        const long length = 1L << 30;
        await using (var file = new FileStream(Path.Combine(dumps, "core-large"), FileMode.CreateNew))
        {
            // Sparse: costs no disk, but hashing it reads 1 GiB (seconds of CPU).
            file.SetLength(length);
        }

        await using var relay = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory);

        // Right after start the dump is already recorded, truthfully, but not yet hashed: the hash does not hold up
        // start (old relay: start returned only once the whole file was hashed).
        var atStart = relay.Spool.ReadJournal("core-large");
        Assert.NotNull(atStart);
        Assert.Equal(DumpState.Incomplete, atStart.State);
        Assert.Equal(length, atStart.FileLength);
        Assert.Null(atStart.Sha256);

        // And it serves meanwhile.
        using var mac = new RawKdumpPeer(relay.EndPoint);
        Assert.Equal(4, (await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-during-hash")))[1]);

        var hashed = await relay.WaitForJournalAsync("core-large", j => j.Sha256 is not null, timeoutMs: 60_000);
        // SHA-256 of 1 GiB of zeros.
        Assert.Equal("49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14", hashed.Sha256);
        Assert.Equal(DumpState.Incomplete, hashed.State);
        // A hole costs no quota: the charge is what the file occupies.
        Assert.InRange(relay.Spool.UsedBytes, 0, 1 << 20);
    }
}
