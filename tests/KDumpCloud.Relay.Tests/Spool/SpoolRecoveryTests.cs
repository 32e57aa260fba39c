using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Spool;

public partial class SpoolRecoveryTests
{
    [Fact]
    public async Task Restart_RecordsLeftoverFilesAndReceivingJournalsAsIncomplete()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        await using (var first = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory))
        {
            using var mac = new RawKdumpPeer(first.EndPoint);
            await mac.SendAllAsync("core-whole", [1, 2, 3]);
            await first.WaitForJournalAsync("core-whole", j => j.State == DumpState.Complete);
        }

        // What a relay killed at the worst moments leaves: a file with no journal, a journal still "receiving",
        // and a temporary journal never renamed.
        var dumps = Path.Combine(dataDirectory, "dumps");
        var journals = Path.Combine(dataDirectory, "journal");
        await File.WriteAllBytesAsync(Path.Combine(dumps, "core-orphan"), [7, 7]);
        await File.WriteAllBytesAsync(Path.Combine(dumps, "core-half"), [8, 8, 8]);
        await File.WriteAllTextAsync(Path.Combine(journals, "core-half.json"),
            """{"version":1,"dumpId":"01900000-0000-7000-8000-000000000000","fileName":"core-half","client":"10.0.0.7:1069","state":"Receiving","startedAt":"2026-01-01T00:00:00Z"}""");
        await File.WriteAllTextAsync(Path.Combine(journals, "core-torn.json.tmp"), "{\"vers");
        await File.WriteAllBytesAsync(Path.Combine(dumps, "core-unhashed"), [9]);
        await File.WriteAllTextAsync(Path.Combine(journals, "core-unhashed.json"),
            """{"version":1,"dumpId":"01900000-0000-7000-8000-000000000001","fileName":"core-unhashed","client":"10.0.0.8:1069","state":"Complete","fileLength":1,"startedAt":"2026-01-01T00:00:00Z"}""");

        await using var second = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory);

        // Hashes are computed in the background once the relay serves.
        var orphan = await second.WaitForJournalAsync("core-orphan", j => j.Sha256 is not null);
        var half = await second.WaitForJournalAsync("core-half", j => j.Sha256 is not null);
        Assert.Equal(DumpState.Incomplete, orphan.State);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(new byte[] { 7, 7 })), orphan.Sha256);
        Assert.Equal(DumpState.Incomplete, half.State);
        Assert.Equal("10.0.0.7:1069", half.Client);
        Assert.Equal(3, half.FileLength);
        Assert.Equal(DumpState.Complete, second.Spool.ReadJournal("core-whole")!.State);
        Assert.False(File.Exists(Path.Combine(journals, "core-torn.json.tmp")));
        var unhashed = await second.WaitForJournalAsync("core-unhashed", j => j.Sha256 is not null);
        Assert.Equal(DumpState.Complete, unhashed.State);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(new byte[] { 9 })), unhashed.Sha256);
        Assert.Equal(9, second.Spool.UsedBytes);
    }

    [Fact]
    public async Task GracefulStopMidTransfer_LeavesTheDumpIncomplete()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var relay = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory);
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-stopped"));
        await mac.ExchangeAsync(RawKdumpPeer.Data(1, [1, 2]), 1);

        var spool = relay.Spool;
        await relay.DisposeAsync();

        var journal = spool.ReadJournal("core-stopped")!;
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal(2, journal.FileLength);
    }

    [Fact]
    public async Task RelayKilledMidTransfer_LeavesASpoolTheNextRelayMakesTruthful()
    {
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var relayDll = Path.Combine(AppContext.BaseDirectory, "kdumpcloud-relay.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { relayDll, "--Relay:Port", "0", "--Relay:BindAddress", "127.0.0.1", "--Relay:DataDirectory", dataDirectory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        const int packets = 120;
        var payload = TestContent.Random(packets * 1406, 5);
        try
        {
            var port = await ReadListeningPortAsync(process);
            using var mac = new RawKdumpPeer(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-killed"));
            for (uint block = 1; block <= packets; block++)
            {
                await mac.ExchangeAsync(RawKdumpPeer.Data(block, payload.AsSpan((int)(block - 1) * 1406, 1406)), block);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        await using var next = await RelayUnderTest.StartAsync(dataDirectory: dataDirectory);
        // Consistent: the journal describes exactly the bytes on disk, and they are what the Mac sent, up to the
        // last 64 KiB write-gathering buffer the kill discarded (DumpWriter).
        var journal = await next.WaitForJournalAsync("core-killed", j => j.Sha256 is not null);
        var stored = await File.ReadAllBytesAsync(next.DumpPath("core-killed"));
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal(stored.Length, journal.FileLength);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), journal.Sha256);
        Assert.InRange(stored.Length, payload.Length - 64 * 1024, payload.Length);
        Assert.Equal(payload[..stored.Length], stored);
    }

    private static async Task<int> ReadListeningPortAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("the relay exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"on UDP 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
