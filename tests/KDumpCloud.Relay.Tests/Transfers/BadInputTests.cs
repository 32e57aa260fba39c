using KDumpCloud.Relay.Spool;
using System.Text;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Transfers;

/// <summary>Hostile and broken input: names that try to escape, malformed and random datagrams, strangers.</summary>
public class BadInputTests
{
    public static TheoryData<string> EscapingNames =>
    [
        "../escape",
        "../../etc/passwd",
        "sub/dir",
        "/abs",
        "..",
        "core..x",
        "core\u0001ctl",
        "core\nnewline",
        ".hidden",
        new string('a', 201),
        "",
    ];

    [Theory]
    [MemberData(nameof(EscapingNames))]
    public async Task PathTricks_AreRefusedWithAccessViolationAndWriteNothing(string name)
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var parent = Directory.GetParent(relay.DataDirectory)!.FullName;
        var before = Directory.EnumerateFileSystemEntries(parent, "*", SearchOption.AllDirectories).ToHashSet();

        mac.SendToRelay(RawKdumpPeer.ModernWrq(name));
        var reply = (await mac.ReceiveAsync())!.Value.Datagram;

        Assert.Equal(new byte[] { 0, 5, 0, 2, 0, 0 }, reply[..6]);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(parent, "*", SearchOption.AllDirectories).ToHashSet());
    }

    [Fact]
    public async Task SymlinkInTheSpool_IsNeverFollowed()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var target = Path.Combine(Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n") + "-outside");
        File.CreateSymbolicLink(relay.DumpPath("core-link"), target);
        using var mac = new RawKdumpPeer(relay.EndPoint);

        mac.SendToRelay(RawKdumpPeer.ModernWrq("core-link"));
        var reply = (await mac.ReceiveAsync())!.Value.Datagram;

        Assert.Equal(5, reply[1]);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task MalformedRequests_GetBadOperationAndTheRelayKeepsServing()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);

        mac.SendToRelay(Encoding.ASCII.GetBytes("\0\u0002no-terminator"));
        Assert.Equal(new byte[] { 0, 5, 0, 4, 0, 0 }, (await mac.ReceiveAsync())!.Value.Datagram[..6]);
        mac.SendToRelay(Encoding.ASCII.GetBytes("\0\u0002core-x\0netascii\0"));
        Assert.Equal(new byte[] { 0, 5, 0, 4, 0, 0 }, (await mac.ReceiveAsync())!.Value.Datagram[..6]);
        mac.SendToRelay([0, 2, 0xC3, 0x28, 0, .. "octet\0"u8.ToArray()]);
        Assert.Equal(new byte[] { 0, 5, 0, 2, 0, 0 }, (await mac.ReceiveAsync())!.Value.Datagram[..6]);

        await mac.SendAllAsync("core-after-junk", [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(relay.DumpPath("core-after-junk")));
    }

    [Fact]
    public async Task RandomDatagrams_ToListenerAndFromAMacToItsTransfer_NothingBreaksNothingEscapes()
    {
        var relay = await RelayUnderTest.StartAsync();
        var parent = Directory.GetParent(relay.DataDirectory)!.FullName;
        using var fuzzer = new RawKdumpPeer(relay.EndPoint);
        using var fuzzed = new RawKdumpPeer(relay.EndPoint, "127.0.0.7");
        using var victim = new RawKdumpPeer(relay.EndPoint, "127.0.0.3");
        await victim.RequestAsync(RawKdumpPeer.ModernWrq("core-victim"));
        await victim.ExchangeAsync(RawKdumpPeer.Data(1, [1]), 1);
        await fuzzed.RequestAsync(RawKdumpPeer.ModernWrq("core-fuzzed"));
        var random = new Random(1234);

        // Bounded: 3000 datagrams, half shaped like kdump headers. A third go to the listener; the rest come from the
        // fuzzed Mac's own address and port, so its connected transfer socket takes them and the relay handles them.
        for (var i = 0; i < 3000; i++)
        {
            var datagram = new byte[random.Next(0, 1500)];
            random.NextBytes(datagram);
            if (i % 2 == 0 && datagram.Length >= 2)
            {
                datagram[0] = 0;
                datagram[1] = (byte)random.Next(0, 9);
            }

            if (i % 3 == 0)
            {
                fuzzer.SendToRelay(datagram);
            }
            else
            {
                fuzzed.SendToTransfer(datagram);
            }
        }

        // The victim's transfer is unharmed and the relay still accepts new work.
        await victim.ExchangeAsync(RawKdumpPeer.Data(2, [2]), 2);
        await victim.ExchangeAsync(RawKdumpPeer.Eof(3), 3);
        Assert.Equal(new byte[] { 1, 2 }, await File.ReadAllBytesAsync(relay.DumpPath("core-victim")));
        using var late = new RawKdumpPeer(relay.EndPoint, "127.0.0.4");
        await late.SendAllAsync("core-late", [4, 4]);
        var spool = relay.Spool;
        await relay.DisposeAsync();

        // Nothing but the dumps and their journals (the fuzzed one only if something of it was kept, with its
        // journal), and the fuzzed dump's journal tells the truth about its file.
        var fuzzedKept = File.Exists(spool.DumpPath("core-fuzzed"));
        string[] expected = fuzzedKept
            ? ["dumps/core-fuzzed", "dumps/core-late", "dumps/core-victim", "journal/core-fuzzed.json", "journal/core-late.json", "journal/core-victim.json"]
            : ["dumps/core-late", "dumps/core-victim", "journal/core-late.json", "journal/core-victim.json"];
        // Beside them only the embedded ingest's crash store (SQLite and its WAL files), at the data directory's root.
        var files = Directory.EnumerateFiles(parent, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(relay.DataDirectory, path))
            .Where(path => path is not ("crashes.db" or "crashes.db-wal" or "crashes.db-shm"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, files);
        if (fuzzedKept)
        {
            var journal = spool.ReadJournal("core-fuzzed")!;
            Assert.NotEqual(DumpState.Receiving, journal.State);
            Assert.Equal(new FileInfo(spool.DumpPath("core-fuzzed")).Length, journal.FileLength);
        }
    }

    [Fact]
    public async Task StrangersOnATransferPort_AreNotHeard()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint);
        using var stranger = new RawKdumpPeer(relay.EndPoint, "127.0.0.9");
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-private"));

        stranger.SendTo(RawKdumpPeer.Data(1, "evil"u8), mac.TransferEndPoint!);

        await mac.ExchangeAsync(RawKdumpPeer.Data(1, "good"u8), 1);
        await mac.ExchangeAsync(RawKdumpPeer.Eof(2), 2);
        Assert.Equal("good", await File.ReadAllTextAsync(relay.DumpPath("core-private")));
    }

    [Fact]
    public async Task SourcesOutsideAllowedNetworks_GetNoReply()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:AllowedNetworks:0"] = "127.0.0.2/32",
        });
        using var stranger = new RawKdumpPeer(relay.EndPoint, "127.0.0.1");
        using var member = new RawKdumpPeer(relay.EndPoint, "127.0.0.2");

        stranger.SendToRelay(RawKdumpPeer.ModernWrq("core-stranger"));
        Assert.Null(await stranger.ReceiveAsync(500));
        Assert.False(File.Exists(relay.DumpPath("core-stranger")));

        await member.SendAllAsync("core-member", [5]);
        Assert.True(File.Exists(relay.DumpPath("core-member")));
    }
}
