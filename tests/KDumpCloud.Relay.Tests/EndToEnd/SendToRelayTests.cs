using System.Net;
using System.Security.Cryptography;
using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.EndToEnd;

/// <summary>
/// <c>kdumpcloud send</c>'s client, behaving like each xnu generation, against the real relay over 127.0.0.1. The
/// ground truth is <see cref="KdumpdStoredBytes"/>: what Apple's kdumpd writes for the same datagrams.
/// </summary>
public class SendToRelayTests
{
    // The kernel's timeouts divided by 10: fast enough for lossy runs, slow enough that a loaded CI machine
    // doesn't make the client give up on a healthy relay (14 transmissions ≈ 5 s).
    private static readonly KernelTimeouts TestTimeouts = KernelTimeouts.Kernel.Scaled(10);

    private static KdumpSendOptions Options(IPEndPoint relay, string name, byte[] content, KernelGeneration generation,
        DumpKind kind = DumpKind.Core, string localAddress = "127.0.0.1") => new()
    {
        Server = relay,
        LocalAddress = IPAddress.Parse(localAddress),
        FileName = name,
        Content = content,
        Kind = kind,
        Generation = generation,
        Timeouts = TestTimeouts,
        MaxDuration = TimeSpan.FromSeconds(60),
    };

    private static async Task AssertStoredAsKdumpdWouldAsync(RelayUnderTest relay, KdumpSendResult result)
    {
        Assert.True(result.Outcome == SendOutcome.Completed, $"{result.FileName}: {result.Outcome} {result.Detail}");
        Assert.Equal(0, result.UnexpectedReplies);
        var expected = KdumpdStoredBytes.Compute(result.Plan!);
        Assert.Equal(expected, await File.ReadAllBytesAsync(relay.DumpPath(result.FileName)));
        var journal = await relay.WaitForJournalAsync(result.FileName, j => j is { State: DumpState.Complete, Sha256: not null });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), journal.Sha256);
        Assert.Equal(expected.Length, journal.FileLength);
    }

    public static TheoryData<KernelGeneration, DumpKind, int> EveryGenerationAndKind()
    {
        var cases = new TheoryData<KernelGeneration, DumpKind, int>();
        foreach (var generation in Enum.GetValues<KernelGeneration>())
        {
            // Sizes that end on a short packet, on an exact 512 and 1406 multiple, and a tiny dump.
            cases.Add(generation, DumpKind.Core, 70_001);
            cases.Add(generation, DumpKind.Core, 1406 * 512);
            cases.Add(generation, DumpKind.Core, 100);
            cases.Add(generation, DumpKind.PanicLog, 9_000);
            cases.Add(generation, DumpKind.PanicLog, 1406 * 3 - 10);
            if (KernelProfile.For(generation).SupportsSystemLog)
            {
                cases.Add(generation, DumpKind.SystemLog, 20_000);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(EveryGenerationAndKind))]
    public async Task EveryGeneration_StoresWhatKdumpdWouldStore(KernelGeneration generation, DumpKind kind, int length)
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var name = $"{kind.ToString().ToLowerInvariant()}-{generation}-{length}";
        var sender = new KdumpSender(Options(relay.EndPoint, name, TestContent.Random(length, length), generation, kind));

        var result = await sender.SendAsync();

        await AssertStoredAsKdumpdWouldAsync(relay, result);
        if (kind == DumpKind.Core && result.Plan!.ReproducesContent)
        {
            Assert.Equal(TestContent.Random(length, length), await File.ReadAllBytesAsync(relay.DumpPath(name)));
        }
    }

    [Fact]
    public async Task ModernPaniclog_EndsWithTheKernelsFillAsKdumpdStoresIt()
    {
        // §8.3: a 43-character name leaves 44 'Y' after the text when the last packet is short.
        await using var relay = await RelayUnderTest.StartAsync();
        const string name = "paniclog-xnu-11417.121.6-127.0.0.1-5f3a9c21";
        Assert.Equal(43, name.Length);
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("panic(cpu 0 caller 0xffffff80): test\n", 100)));

        var result = await new KdumpSender(Options(relay.EndPoint, name, text, KernelGeneration.Xnu7195Plus, DumpKind.PanicLog)).SendAsync();

        Assert.Equal(SendOutcome.Completed, result.Outcome);
        var stored = await File.ReadAllBytesAsync(relay.DumpPath(name));
        Assert.Equal(text, stored[..text.Length]);
        Assert.Equal(Enumerable.Repeat((byte)'Y', 44), stored[text.Length..]);
    }

    [Theory]
    [InlineData(KernelGeneration.Xnu7195Plus, 11)]
    [InlineData(KernelGeneration.Xnu7195Plus, 12)]
    [InlineData(KernelGeneration.Xnu2050To2782, 13)]
    [InlineData(KernelGeneration.Xnu517To1228, 14)]
    public async Task LossAndDuplication_StillByteIdentical(KernelGeneration generation, int seed)
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var options = Options(relay.EndPoint, $"core-lossy-{seed}", TestContent.Random(100_000, seed), generation) with
        {
            LossProbability = 0.05,
            DuplicateProbability = 0.02,
            Seed = seed,
        };

        var result = await new KdumpSender(options).SendAsync();

        await AssertStoredAsKdumpdWouldAsync(relay, result);
        Assert.True(result.DroppedOutgoing + result.DroppedIncoming > 0, "the seeded loss dropped nothing");
    }

    [Fact]
    public async Task HeavyDuplication_IsReAckedAndWrittenOnce()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var options = Options(relay.EndPoint, "core-duplicated", TestContent.Random(100_000, 21), KernelGeneration.Xnu7195Plus) with
        {
            DuplicateProbability = 0.2,
            Seed = 21,
        };

        var result = await new KdumpSender(options).SendAsync();

        await AssertStoredAsKdumpdWouldAsync(relay, result);
        Assert.True(result.DuplicatedOutgoing > 0);
        var journal = await relay.WaitForJournalAsync("core-duplicated", j => j.State == DumpState.Complete);
        Assert.True(journal.Duplicates > 0, "the relay saw no duplicate");
    }

    [Fact]
    public async Task ThirtyTwoMacsAtOnce_AllByteIdentical()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var senders = Enumerable.Range(0, 32).Select(i => new KdumpSender(Options(
            relay.EndPoint, $"core-concurrent-{i}", TestContent.Random(512 * 1024 + i, 1000 + i),
            KernelGeneration.Xnu7195Plus, localAddress: $"127.0.1.{i + 1}")));

        var results = await Task.WhenAll(senders.Select(sender => sender.SendAsync()));

        foreach (var result in results)
        {
            await AssertStoredAsKdumpdWouldAsync(relay, result);
        }

        Assert.Equal(32, results.Select(r => r.ServerTransferPort).Distinct().Count());
    }

    [Fact]
    public async Task ExistingName_TheKernelGivesUpAfterFourteenRefusals()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        await File.WriteAllTextAsync(relay.DumpPath("core-twice"), "first");

        var result = await new KdumpSender(Options(relay.EndPoint, "core-twice", [1, 2, 3], KernelGeneration.Xnu7195Plus)).SendAsync();

        Assert.NotEqual(SendOutcome.Completed, result.Outcome);
        Assert.Equal(14, result.Transmissions);
        Assert.Equal(14, result.ErrorReplies);
        Assert.Equal("first", await File.ReadAllTextAsync(relay.DumpPath("core-twice")));
    }
}
