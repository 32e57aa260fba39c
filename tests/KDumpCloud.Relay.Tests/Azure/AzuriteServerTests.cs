using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using KDumpCloud.TestSupport;
using Xunit.Abstractions;

namespace KDumpCloud.Relay.Tests.Azure;

/// <summary>
/// The Azurite fixture with the real storage SDK clients: what the uploader will do (stage blocks with explicit
/// ids, commit the list, announce on a queue, keep state in a table) works against it. One Azurite per class.
/// </summary>
public sealed class AzuriteServerTests(AzuriteServer azurite, ITestOutputHelper output) : IClassFixture<AzuriteServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Blob_StageTwoBlocksAndCommit_ReadsBackBothInOrder()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        output.WriteLine($"Azurite started in {azurite.LastStartDuration.TotalSeconds:0.0} s at {azurite.BlobEndpoint}");
        var container = new BlobContainerClient(azurite.ConnectionString, "dumps");
        await container.CreateIfNotExistsAsync(cancellationToken: deadline.Token);
        var blob = container.GetBlockBlobClient("core-xnu-test.gz");
        var first = Encoding.ASCII.GetBytes(new string('a', 4096));
        var second = Encoding.ASCII.GetBytes("the second block");
        var firstId = BlockId(0);
        var secondId = BlockId(1);

        await blob.StageBlockAsync(firstId, new MemoryStream(first), cancellationToken: deadline.Token);
        await blob.StageBlockAsync(secondId, new MemoryStream(second), cancellationToken: deadline.Token);
        var uncommitted = (await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: deadline.Token)).Value;
        await blob.CommitBlockListAsync([firstId, secondId], cancellationToken: deadline.Token);

        Assert.Equal([firstId, secondId], uncommitted.UncommittedBlocks.Select(block => block.Name).Order());
        var content = (await blob.DownloadContentAsync(deadline.Token)).Value.Content.ToArray();
        Assert.Equal([.. first, .. second], content);
        var committed = (await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: deadline.Token)).Value;
        Assert.Equal([firstId, secondId], committed.CommittedBlocks.Select(block => block.Name));
    }

    [Fact]
    public async Task Queue_SendBase64Message_ReceivedAndDeleted()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var queue = new QueueClient(azurite.ConnectionString, "ingest", options);
        await queue.CreateIfNotExistsAsync(cancellationToken: deadline.Token);

        await queue.SendMessageAsync("""{"dump":"core-xnu-test.gz"}""", deadline.Token);
        var received = (await queue.ReceiveMessagesAsync(maxMessages: 1, cancellationToken: deadline.Token)).Value;

        var message = Assert.Single(received);
        Assert.Equal("""{"dump":"core-xnu-test.gz"}""", message.Body.ToString());
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, deadline.Token);
        Assert.Empty((await queue.ReceiveMessagesAsync(maxMessages: 1, cancellationToken: deadline.Token)).Value);
    }

    [Fact]
    public async Task Table_AddEntity_ReadBack()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var table = new TableClient(azurite.ConnectionString, "uploads");
        await table.CreateIfNotExistsAsync(deadline.Token);

        await table.AddEntityAsync(new TableEntity("relay-1", "core-xnu-test.gz") { ["Bytes"] = 4112L, ["State"] = "committed" },
            deadline.Token);
        var entity = (await table.GetEntityAsync<TableEntity>("relay-1", "core-xnu-test.gz", cancellationToken: deadline.Token)).Value;

        Assert.Equal(4112L, entity.GetInt64("Bytes"));
        Assert.Equal("committed", entity.GetString("State"));
    }

    internal static string BlockId(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>Storage going away and coming back: its own Azurite, since it stops it.</summary>
public sealed class AzuriteServerRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StopAndRestart_SamePortsAndData_BlobSurvivesAndCallsFailWhileStopped()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken: deadline.Token);
        output.WriteLine($"Azurite started in {azurite.LastStartDuration.TotalSeconds:0.0} s at {azurite.BlobEndpoint}");
        var noRetries = new BlobClientOptions
        {
            Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) },
        };
        var container = new BlobContainerClient(azurite.ConnectionString, "dumps", noRetries);
        await container.CreateIfNotExistsAsync(cancellationToken: deadline.Token);
        var blob = container.GetBlobClient("paniclog-before-stop");
        await blob.UploadAsync(BinaryData.FromString("written before the stop"), deadline.Token);
        var endpoints = (azurite.BlobEndpoint, azurite.QueueEndpoint, azurite.TableEndpoint);

        await azurite.StopAsync(deadline.Token);
        var whileStopped = await Assert.ThrowsAsync<RequestFailedException>(
            () => blob.DownloadContentAsync(deadline.Token));
        await azurite.RestartAsync(deadline.Token);
        output.WriteLine($"Restarted in {azurite.LastStartDuration.TotalSeconds:0.0} s; while stopped: {whileStopped.Message}");

        Assert.Equal(0, whileStopped.Status); // no HTTP answer at all: nothing listened
        Assert.Equal(endpoints, (azurite.BlobEndpoint, azurite.QueueEndpoint, azurite.TableEndpoint));
        Assert.True(azurite.IsRunning);
        var content = (await blob.DownloadContentAsync(deadline.Token)).Value.Content.ToString();
        Assert.Equal("written before the stop", content);
    }
}
