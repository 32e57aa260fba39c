using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using KDumpCloud.Functions.Tests.Support;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Functions.Tests;

/// <summary>
/// The Function as deployed: its services from <c>AddKDumpIngest</c> with only <c>KDumpStorage</c> set (what
/// Program.cs does), a dump in the <c>dumps</c> container, and the trigger listener on Azurite; the occurrence lands in
/// Table Storage.
/// </summary>
public sealed class AzureConfiguredFunctionTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private const string Panic = """
        panic(cpu 1 caller 0xfffffe0012345678): "AppleExampleDriver: command queue stalled for 30 s"@/AppleInternal/Sources/Example/Driver.cpp:88
        Debugger message: panic

        OS version: 23E214
        Kernel version: Darwin Kernel Version 23.4.0: Fri Mar 15 00:10:42 PDT 2024; root:xnu-10063.101.17~1/RELEASE_ARM64_T6000
        """;

    [Fact]
    public async Task MessageForABlob_IsRecordedInTableStorage_AndRedeliveryCountsOnce()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var services = new ServiceCollection()
            .AddLogging()
            .AddKDumpIngest(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["KDumpStorage"] = azurite.ConnectionString,
            }).Build())
            .AddSingleton<IngestFunctions>()
            .BuildServiceProvider();
        await using var _ = services;
        var content = Encoding.UTF8.GetBytes(Panic);
        var container = new BlobContainerClient(azurite.ConnectionString, "dumps");
        await container.CreateIfNotExistsAsync(cancellationToken: deadline.Token);
        var blob = container.GetBlobClient($"2026/12/02/{Guid.NewGuid()}/paniclog-xnu-10063.101.17-10.0.40.9-77aa");
        await blob.UploadAsync(new BinaryData(content), deadline.Token);
        var message = new IngestMessage
        {
            DumpId = Guid.CreateVersion7(),
            BlobUri = blob.Uri,
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Complete = true,
            Client = "10.0.40.9:1069",
            FileName = "paniclog-xnu-10063.101.17-10.0.40.9-77aa",
            RelayHost = "relay-under-test",
        };
        var queue = new QueueClient(azurite.ConnectionString, "dump-ingest", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync(cancellationToken: deadline.Token);
        var store = services.GetRequiredService<ICrashStore>();

        using var host = await FunctionsUnderWebJobs.StartAsync(azurite.ConnectionString, services.GetRequiredService<IngestFunctions>(), deadline.Token);
        try
        {
            await queue.SendMessageAsync(message.ToJson(), deadline.Token);
            var occurrence = await WaitForAsync(() => store.FindOccurrenceAsync(message.DumpId), deadline.Token);
            await queue.SendMessageAsync(message.ToJson(), deadline.Token);
            await WaitForAsync(async () => (await queue.GetPropertiesAsync(deadline.Token)).Value.ApproximateMessagesCount == 0 ? occurrence : null, deadline.Token);

            Assert.Equal(OccurrenceStatus.Decoded, occurrence.Status);
            Assert.Equal("23E214", occurrence.OsBuild);
            Assert.Equal(blob.Uri.ToString(), occurrence.DumpLocation);
            Assert.Equal(1, (await store.FindGroupAsync(occurrence.GroupId, deadline.Token))!.Count);
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await host.StopAsync(stopping.Token);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
