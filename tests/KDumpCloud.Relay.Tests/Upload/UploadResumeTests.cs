using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs.Specialized;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>
/// A restart in the middle of staging: the spool holds a finished dump whose journal says the first blocks were staged,
/// and the service still holds blocks under those ids. To see which blocks the relay sends again, the blocks planted
/// in the service carry marker bytes the file does not have: a block the relay skipped keeps its marker in the
/// committed blob, a block it staged again has the file's bytes.
/// </summary>
public sealed class UploadResumeTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private const int BlockSize = 64 << 10;
    private const int StagedBlocks = 3;

    [Fact]
    public async Task DumpWithoutSeeks_BlocksTheServiceHolds_AreNotStagedAgain()
    {
        var (content, committed) = await ResumeAsync(seeks: 0);

        for (var block = 0; block < StagedBlocks; block++)
        {
            Assert.Equal(Marker(block), committed.AsSpan(block * BlockSize, BlockSize).ToArray());
        }

        Assert.Equal(content.AsSpan(StagedBlocks * BlockSize).ToArray(), committed.AsSpan(StagedBlocks * BlockSize).ToArray());
    }

    [Fact]
    public async Task DumpWithSeeks_IsStagedAgainWhole()
    {
        var (content, committed) = await ResumeAsync(seeks: 2);

        Assert.Equal(content, committed);
    }

    private async Task<(byte[] Content, byte[] Committed)> ResumeAsync(long seeks)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var target = new UploadTarget(azurite, BlockSize);
        var dataDirectory = RelayUnderTest.NewDataDirectory();
        var content = TestContent.Random(5 * BlockSize + 1000, 71);
        const string name = "core-xnu-11417.121.6-10.0.40.7-0a1b2c3d";
        var blobName = "resume/" + Guid.NewGuid().ToString("n");
        Directory.CreateDirectory(Path.Combine(dataDirectory, "dumps"));
        Directory.CreateDirectory(Path.Combine(dataDirectory, "journal"));
        await File.WriteAllBytesAsync(Path.Combine(dataDirectory, "dumps", name), content, deadline.Token);
        var now = DateTimeOffset.UtcNow;
        var journal = new DumpJournal
        {
            DumpId = Guid.CreateVersion7(),
            FileName = name,
            Client = "10.0.40.7:1069",
            State = DumpState.Complete,
            FileLength = content.Length,
            BytesReceived = content.Length,
            Seeks = seeks,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            StartedAt = now.AddMinutes(-2),
            FinishedAt = now.AddMinutes(-1),
            Upload = new DumpUpload { State = UploadStates.Staging, Blob = blobName, BytesStaged = StagedBlocks * BlockSize, UpdatedAt = now },
        };
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "journal", name + ".json"),
            JsonSerializer.Serialize(journal, DumpJournalJsonContext.Default.DumpJournal), deadline.Token);
        var container = target.Container;
        await container.CreateIfNotExistsAsync(cancellationToken: deadline.Token);
        var blob = container.GetBlockBlobClient(blobName);
        for (var block = 0; block < StagedBlocks; block++)
        {
            using var marker = new MemoryStream(Marker(block));
            await blob.StageBlockAsync(BlockIds.For(block), marker, cancellationToken: deadline.Token);
        }

        await using var relay = await RelayUnderTest.StartAsync(target.Settings(), dataDirectory: dataDirectory);
        await UploadTarget.WaitUntilSentAsync(relay, name, 30_000);

        var committed = (await blob.DownloadContentAsync(deadline.Token)).Value.Content.ToArray();
        Assert.Equal(content.Length, committed.Length);
        Assert.Single(await target.DrainAsync(deadline.Token));
        return (content, committed);
    }

    private static byte[] Marker(int block) => Enumerable.Repeat((byte)(0xA0 + block), BlockSize).ToArray();
}
