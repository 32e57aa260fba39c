using System.Net;
using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>
/// <c>kdumpcloud send</c>'s client, behaving like each xnu generation, into the real relay over 127.0.0.1, and on to
/// Azurite: the committed blob is the spool file byte for byte, is what kdumpd would have stored, carries the
/// journal's SHA-256, and has exactly one ingest message.
/// </summary>
public sealed class UploadEndToEndTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>, IDisposable
{
    // 1 KiB blocks (the smallest allowed) so that a small dump spans dozens of them, and a pre-10.11 Mach-O core's
    // SEEKs back into the header area rewrite blocks the uploader has already staged (kdump-protocol.md §7).
    private const int BlockSize = 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly List<string> _dataDirectories = [];

    public static TheoryData<KernelGeneration> EveryGeneration() => [.. Enum.GetValues<KernelGeneration>()];

    [Theory]
    [MemberData(nameof(EveryGeneration))]
    public async Task EveryGeneration_BlobEqualsTheSpoolAndWhatKdumpdStores_OneMessage(KernelGeneration generation)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, BlockSize);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: NewDataDirectory());
        var name = $"core-xnu-{generation}-127.0.0.1";
        var content = TestContent.Random(40_000 + (int)generation * 999, 700 + (int)generation);

        var result = await new KdumpSender(SendOptions(relay.EndPoint, name, content, generation)).SendAsync(deadline.Token);

        Assert.True(result.Outcome == SendOutcome.Completed, $"{name}: {result.Outcome} {result.Detail}");
        var journal = await UploadTarget.WaitUntilSentAsync(relay, name, timeoutMs: 30_000);
        var expected = KdumpdStoredBytes.Compute(result.Plan!);
        if (KernelProfile.For(generation).CoreFormat == CoreFormat.MachOWithSeeks)
        {
            Assert.True(journal.Seeks > 1, $"a {generation} core should SEEK back; the journal counts {journal.Seeks}");
        }

        var spooled = await File.ReadAllBytesAsync(relay.DumpPath(name), deadline.Token);
        Assert.Equal(expected, spooled);
        Assert.Equal(DumpState.Complete, journal.State);
        await AssertUploadedAsync(target, journal, spooled, complete: true, BlockSize, deadline.Token);
    }

    [Fact]
    public async Task MacFallsSilentMidDump_UploadedAsIncompleteWithWhatArrived_OneMessage()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var target = new UploadTarget(azurite, BlockSize);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = await RelayUnderTest.StartAsync(target.Settings(), clock, NewDataDirectory());
        using var mac = new RawKdumpPeer(relay.EndPoint);
        var content = TestContent.Random(100 * 1406, 77);
        const int packetsSent = 37;

        // A modern Mac that loses power after 37 packets: no EOF, no more datagrams.
        await mac.RequestAsync(RawKdumpPeer.ModernWrq("core-silent"));
        for (uint block = 1; block <= packetsSent; block++)
        {
            await mac.ExchangeAsync(RawKdumpPeer.Data(block, content.AsSpan((int)(block - 1) * 1406, 1406)), block);
        }

        // §11.2: the relay gives up after 50 s of silence (on its clock) and keeps the partial file.
        for (var second = 0; second <= 60 && relay.Spool.ReadJournal("core-silent")?.State == DumpState.Receiving; second += 2)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(50, deadline.Token);
        }

        var journal = await UploadTarget.WaitUntilSentAsync(relay, "core-silent", timeoutMs: 30_000);
        var spooled = await File.ReadAllBytesAsync(relay.DumpPath("core-silent"), deadline.Token);
        Assert.Equal(DumpState.Incomplete, journal.State);
        Assert.Equal(content[..(packetsSent * 1406)], spooled);
        await AssertUploadedAsync(target, journal, spooled, complete: false, BlockSize, deadline.Token);
    }

    /// <summary>One committed blob equal to <paramref name="spooled"/> with the journal's hash and state, and one
    /// message that describes it.</summary>
    internal static async Task AssertUploadedAsync(UploadTarget target, DumpJournal journal, byte[] spooled, bool complete,
        int blockSize, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(spooled));
        Assert.Equal(sha256, journal.Sha256);
        Assert.Equal(spooled.Length, journal.FileLength);

        var blob = target.Blob(journal);
        var stored = (await blob.DownloadContentAsync(cancellationToken)).Value;
        Assert.Equal(spooled, stored.Content.ToArray());
        var metadata = stored.Details.Metadata;
        Assert.Equal(journal.DumpId.ToString("D"), metadata["dumpid"]);
        Assert.Equal(sha256, metadata["sha256"]);
        Assert.Equal(complete ? "complete" : "incomplete", metadata["state"]);
        Assert.Equal(spooled.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["size"]);
        if (!complete)
        {
            Assert.False(string.IsNullOrEmpty(journal.Reason));
            Assert.Equal(journal.Reason, Uri.UnescapeDataString(metadata["reason"]));
        }

        var blocks = (await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellationToken)).Value;
        Assert.Equal(BlockIds.All(spooled.Length, blockSize), blocks.CommittedBlocks.Select(block => block.Name));

        var (_, message) = Assert.Single(await target.DrainAsync(cancellationToken));
        Assert.Equal(journal.DumpId, message.DumpId);
        Assert.Equal(blob.Name, BlobNameOf(message.BlobUri, target.ContainerName));
        Assert.Equal(spooled.Length, message.Size);
        Assert.Equal(sha256, message.Sha256);
        Assert.Equal(complete, message.Complete);
        Assert.Equal(complete ? null : journal.Reason, message.Reason);
        Assert.Equal(journal.Client, message.Client);
        Assert.Equal(journal.FileName, message.FileName);
        Assert.Equal("relay-under-test", message.RelayHost);
        Assert.NotNull(message.ReceivedAt);
        Assert.Equal(journal.FinishedAt, message.ReceivedAt);
    }

    /// <summary>The blob name in a blob URI (<c>http://host:port/account/container/name</c>); the host may be a proxy.</summary>
    internal static string BlobNameOf(Uri blobUri, string container)
    {
        var path = Uri.UnescapeDataString(blobUri.AbsolutePath);
        var prefix = $"/{AzuriteServer.AccountName}/{container}/";
        Assert.StartsWith(prefix, path, StringComparison.Ordinal);
        return path[prefix.Length..];
    }

    private static KdumpSendOptions SendOptions(IPEndPoint relay, string name, byte[] content, KernelGeneration generation) => new()
    {
        Server = relay,
        LocalAddress = IPAddress.Loopback,
        FileName = name,
        Content = content,
        Kind = DumpKind.Core,
        Generation = generation,
        Timeouts = KernelTimeouts.Kernel.Scaled(10),
        MaxDuration = TimeSpan.FromSeconds(60),
    };

    private string NewDataDirectory()
    {
        var directory = RelayUnderTest.NewDataDirectory();
        _dataDirectories.Add(Path.GetDirectoryName(directory)!);
        return directory;
    }

    public void Dispose()
    {
        foreach (var directory in _dataDirectories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
