using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KDumpCloud.Ingest.Model;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Cli.Tests.Queue;

/// <summary>
/// <c>kdumpcloud ingest</c> without files, in process, as the queue worker against Azurite: paniclog blobs in the dump
/// container, the relay's base64 messages on the queue, occurrences and groups in Table storage, failures retried and
/// then poisoned as the Functions host does.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IngestQueueCommandTests(AzuriteServer azurite)
{
    [Fact]
    public async Task Once_RecordsEveryMessageInTableStorage_AndLeavesTheQueueEmpty()
    {
        var lab = new AzureLab(azurite);
        await lab.CreateQueueAsync();
        var first = await lab.UploadAsync("paniclog-a", ExampleCrashes.Example);
        var again = await lab.UploadAsync("paniclog-b", ExampleCrashes.AnotherBoot(ExampleCrashes.Example));
        var other = await lab.UploadAsync("paniclog-c", ExampleCrashes.OtherCrash(ExampleCrashes.Example), client: "10.0.40.8:1069");
        foreach (var message in new[] { first, again, other })
        {
            await lab.SendAsync(message);
        }

        var (exitCode, output, error) = await lab.DrainAsync();

        Assert.True(exitCode == 0, error);
        var lines = AzureLab.Lines(output);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("new ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("repeat ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("new ", lines[2], StringComparison.Ordinal);
        Assert.Contains("LabSensorDriver | trap type 14=page fault", lines[0], StringComparison.Ordinal);
        Assert.Contains(" ms ", lines[0], StringComparison.Ordinal);
        Assert.Contains("paniclog-a", lines[0], StringComparison.Ordinal);
        Assert.Equal(AzureLab.GroupOf(lines[0]), AzureLab.GroupOf(lines[1]));
        Assert.StartsWith("processed 3, failed 0, poisoned 0 in ", lines[3], StringComparison.Ordinal);
        Assert.Equal(0, await lab.CountAsync(lab.Queue));

        await lab.WithStoreAsync(async store =>
        {
            var occurrence = await store.FindOccurrenceAsync(first.DumpId, lab.Token);
            Assert.NotNull(occurrence);
            Assert.Equal(OccurrenceStatus.Decoded, occurrence.Status);
            Assert.Equal(first.BlobUri.ToString(), occurrence.DumpLocation);
            var group = await store.FindGroupAsync(occurrence.GroupId, lab.Token);
            Assert.Equal(2, group!.Count);
            Assert.Equal(2, (await store.ListGroupsAsync(GroupOrder.Newest, 10, lab.Token)).Count);
            Assert.NotNull(await store.FindOccurrenceAsync(other.DumpId, lab.Token));
            return 0;
        });
    }

    [Fact]
    public async Task RedeliveredMessage_CountsOnce()
    {
        var lab = new AzureLab(azurite);
        await lab.CreateQueueAsync();
        var message = await lab.UploadAsync("paniclog-twice", ExampleCrashes.Example);
        await lab.SendAsync(message);
        await lab.SendAsync(message);

        var (exitCode, output, error) = await lab.DrainAsync();

        Assert.True(exitCode == 0, error);
        var lines = AzureLab.Lines(output);
        Assert.StartsWith("new ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("recorded-before ", lines[1], StringComparison.Ordinal);
        Assert.Contains("count 1 ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("processed 2, failed 0, poisoned 0", lines[2], StringComparison.Ordinal);
        var count = await lab.WithStoreAsync(async store =>
            (await store.FindGroupAsync(AzureLab.GroupOf(lines[0]), lab.Token))!.Count);
        Assert.Equal(1, count);

        // A later run (another worker, or the Function) that gets it once more still counts it once.
        await lab.SendAsync(message);
        (exitCode, output, _) = await lab.DrainAsync();
        Assert.Equal(0, exitCode);
        Assert.StartsWith("recorded-before ", output, StringComparison.Ordinal);
        Assert.Equal(1, await lab.WithStoreAsync(async store => (await store.FindGroupAsync(AzureLab.GroupOf(lines[0]), lab.Token))!.Count));
    }

    [Fact]
    public async Task MessageForAMissingBlob_FailsFiveTimes_ThenIsPoisonedAndRecordedAsFailed()
    {
        var lab = new AzureLab(azurite);
        await lab.CreateQueueAsync();
        var message = await lab.UploadAsync("paniclog-vanished", ExampleCrashes.Example);
        await lab.Container.DeleteBlobAsync(new Azure.Storage.Blobs.BlobUriBuilder(message.BlobUri).BlobName, cancellationToken: lab.Token);
        await lab.SendAsync(message);

        var (exitCode, output, error) = await lab.DrainAsync("--visibility-timeout", "0");

        Assert.True(exitCode == 0, error);
        var lines = AzureLab.Lines(output);
        Assert.Equal(6, lines.Length);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            Assert.StartsWith($"failed          attempt {attempt} of 5 ", lines[attempt - 1], StringComparison.Ordinal);
            Assert.Contains("does not exist", lines[attempt - 1], StringComparison.Ordinal);
        }

        Assert.StartsWith($"poisoned        {WellKnownGroups.IngestFailed}  after 5 attempts ", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("processed 0, failed 4, poisoned 1 in ", lines[5], StringComparison.Ordinal);
        Assert.Equal(0, await lab.CountAsync(lab.Queue));

        var poisoned = Assert.Single((await lab.PoisonQueue.ReceiveMessagesAsync(10, cancellationToken: lab.Token)).Value);
        Assert.Equal(message.DumpId, IngestMessage.FromJson(poisoned.Body.ToString())!.DumpId);
        await lab.WithStoreAsync(async store =>
        {
            var occurrence = await store.FindOccurrenceAsync(message.DumpId, lab.Token);
            Assert.NotNull(occurrence);
            Assert.Equal(OccurrenceStatus.Failed, occurrence.Status);
            Assert.Equal(WellKnownGroups.IngestFailed, occurrence.GroupId);
            Assert.Contains(occurrence.Warnings, w => w.Contains("failed 5 times", StringComparison.Ordinal));
            return 0;
        });
    }

    [Theory]
    [InlineData("{\"hello\": \"this is not an ingest message\"}", true)]
    [InlineData("this is not base64 at all: <>&", false)]
    public async Task BodyThatIsNotAnIngestMessage_IsPoisonedAtOnce_AndRecordedAsFailed(string body, bool base64)
    {
        var lab = new AzureLab(azurite);
        await lab.CreateQueueAsync();
        await (base64 ? lab.Queue : lab.RawQueue).SendMessageAsync(body, lab.Token);

        var (exitCode, output, error) = await lab.DrainAsync();

        Assert.True(exitCode == 0, error);
        var lines = AzureLab.Lines(output);
        Assert.StartsWith($"poisoned        {WellKnownGroups.IngestFailed}  after 1 attempt ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("processed 0, failed 0, poisoned 1 in ", lines[1], StringComparison.Ordinal);
        Assert.Equal(0, await lab.CountAsync(lab.Queue));
        Assert.Equal(1, await lab.CountAsync(lab.PoisonQueue));

        // Recorded under an id derived from the body it could read (the decoded JSON, or the raw text).
        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(body)).AsSpan(0, 16));
        var occurrence = await lab.WithStoreAsync(store => store.FindOccurrenceAsync(id, lab.Token));
        Assert.NotNull(occurrence);
        Assert.Equal(OccurrenceStatus.Failed, occurrence.Status);
        Assert.Contains(occurrence.Warnings, w => w.Contains(base64 ? "this is not an ingest message" : "not base64", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutOnce_WorksUntilCancelled_ThenPrintsTheSummary()
    {
        var lab = new AzureLab(azurite);
        await lab.CreateQueueAsync();
        var message = await lab.UploadAsync("paniclog-live", ExampleCrashes.Example);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(lab.Token);

        var running = CommandLineTests.RunAsync(lab.Environment, stop.Token, "ingest", "--queue", lab.QueueName);
        await lab.SendAsync(message);
        // Recorded, then the message deleted: the worker counts and prints it right after the delete.
        while (await lab.WithStoreAsync(store => store.FindOccurrenceAsync(message.DumpId, lab.Token)) is null || await lab.CountAsync(lab.Queue) > 0)
        {
            await Task.Delay(200, lab.Token);
        }

        await Task.Delay(200, lab.Token);
        await stop.CancelAsync();
        var (exitCode, output, error) = await running;

        Assert.True(exitCode == 0, error);
        Assert.Contains("Ctrl+C stops", error, StringComparison.Ordinal);
        var lines = AzureLab.Lines(output);
        Assert.StartsWith("new ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("processed 1, failed 0, poisoned 0 in ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crashes_WithKDumpStorage_ListsTheGroupsFromTableStorage()
    {
        var lab = new AzureLab(azurite);
        await lab.CreateQueueAsync();
        await lab.SendAsync(await lab.UploadAsync("paniclog-1", ExampleCrashes.Example));
        await lab.SendAsync(await lab.UploadAsync("paniclog-2", ExampleCrashes.AnotherBoot(ExampleCrashes.Example)));
        await lab.SendAsync(await lab.UploadAsync("paniclog-3", ExampleCrashes.OtherCrash(ExampleCrashes.Example)));
        Assert.Equal(0, (await lab.DrainAsync()).ExitCode);

        var (exitCode, output, error) = await lab.RunAsync("crashes", "--json", "--sort", "frequent");

        Assert.True(exitCode == 0, error);
        var groups = AzureLab.Lines(output).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(2, groups[0].GetProperty("count").GetInt64());
        Assert.Contains("LabSensorDriver", groups[0].GetProperty("signature").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, groups[1].GetProperty("count").GetInt64());
        Assert.Contains("BenchMotorController", groups[1].GetProperty("signature").GetString(), StringComparison.Ordinal);

        (exitCode, output, error) = await lab.RunAsync("crashes", "resolve", groups[1].GetProperty("fingerprint").GetString()![..10]);
        Assert.True(exitCode == 0, error);
        Assert.StartsWith("resolved  ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingQueue_ExitsTwoNamingIt()
    {
        var lab = new AzureLab(azurite);

        var (exitCode, _, error) = await lab.DrainAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains($"there is no queue {lab.QueueName} in storage account", error, StringComparison.Ordinal);
    }
}
