using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Tests.Azure;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Tests.Hosting;

/// <summary>The DI registration from configuration alone: a connection string gives working adapters on Azurite, a
/// <c>ServiceBus</c> key adds the publisher, and a bad setting stops the host at start naming its key.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AddKDumpIngestTests(AzuriteServer azurite)
{
    private const string Panic = """
        panic(cpu 0 caller 0xffffff8000b4b1c5): "thread_invoke: preemption_level 1, possible cause: blocking while holding a spinlock"@/xnu/osfmk/kern/sched_prim.c:2231
        Backtrace (CPU 0), Frame : Return Address
        0xffffff91ffd13a20 : 0xffffff8000a6c1c6 mach_kernel : _handle_debugger_trap + 0x506

        Mac OS version:
        17G65

        Kernel version:
        Darwin Kernel Version 17.7.0: Thu Jun 21 22:53:14 PDT 2018; root:xnu-4570.71.2~1/RELEASE_X86_64
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ConnectionStringOnly_GivesWorkingAdaptersAgainstAzurite()
    {
        var names = UniqueNames();
        names["KDumpStorage"] = azurite.ConnectionString;
        using var host = Build(names);
        await host.StartAsync();
        var message = await UploadAsync(names["Ingest:Azure:DumpContainer"]!);

        var ingestor = host.Services.GetRequiredService<DumpIngestor>();
        var report = await ingestor.IngestAsync(message, CancellationToken.None);
        var again = await ingestor.IngestAsync(message, CancellationToken.None);

        Assert.IsType<TableCrashStore>(host.Services.GetRequiredService<ICrashStore>());
        Assert.IsType<BlobDumpReader>(host.Services.GetRequiredService<IDumpReader>());
        Assert.Empty(host.Services.GetServices<IReportPublisher>());
        Assert.Equal(IngestOutcome.NewGroup, report.Outcome);
        Assert.Equal("17G65", report.Occurrence.OsBuild);
        Assert.DoesNotContain(report.Occurrence.Warnings, w => w.Contains("mismatch", StringComparison.Ordinal));
        Assert.True(again.Redelivered);
        Assert.Equal(1, (await host.Services.GetRequiredService<ICrashStore>().FindGroupAsync(report.Group.Id))!.Count);
        await host.StopAsync();
    }

    [Fact]
    public async Task WithServiceBus_ReportsGoToTheConfiguredTopic()
    {
        using var broker = new AmqpTestBroker("lab-reports");
        var names = UniqueNames();
        names["KDumpStorage"] = azurite.ConnectionString;
        names["ServiceBus"] = broker.ConnectionString;
        names["Ingest:Azure:ReportTopic"] = "lab-reports";
        using var host = Build(names);
        await host.StartAsync();
        var message = await UploadAsync(names["Ingest:Azure:DumpContainer"]!);

        var report = await host.Services.GetRequiredService<DumpIngestor>().IngestAsync(message, CancellationToken.None);

        var sent = await broker.ReceiveAsync(Wait);
        Assert.Equal(message.DumpId.ToString("D"), sent.Properties.MessageId);
        Assert.Equal(report.Group.Id, sent.ApplicationProperties["groupId"]);
        Assert.Equal("newGroup", sent.ApplicationProperties["outcome"]);
        await host.StopAsync();
    }

    [Fact]
    public void NothingConfigured_RegistersTheCoreButNoAzureAdapter()
    {
        using var host = Build([]);

        Assert.Null(host.Services.GetService<ICrashStore>());
        Assert.Null(host.Services.GetService<IDumpReader>());
        Assert.Empty(host.Services.GetServices<IReportPublisher>());
        Assert.Equal(20, host.Services.GetRequiredService<IOptions<IngestOptions>>().Value.MaxWarnings);
    }

    [Theory]
    [InlineData("KDumpStorage=this is not a connection string", "KDumpStorage is not a usable storage connection string")]
    [InlineData("KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net", "KDumpStorage:tableServiceUri is missing")]
    [InlineData("KDumpStorage:blobServiceUri=https://lab.blob.core.windows.net|KDumpStorage:tableServiceUri=lab.table", "KDumpStorage:tableServiceUri 'lab.table'")]
    [InlineData("KDumpStorage=UseDevelopmentStorage=true|Ingest:Azure:GroupsTable=crash-groups", "Ingest:Azure:GroupsTable must be a table name")]
    [InlineData("ServiceBus=Endpoint", "ServiceBus is not a usable Service Bus connection string")]
    [InlineData("ServiceBus:clientId=abc", "ServiceBus:fullyQualifiedNamespace is missing")]
    [InlineData("ServiceBus:fullyQualifiedNamespace=sb://lab/", "ServiceBus:fullyQualifiedNamespace 'sb://lab/'")]
    [InlineData("Ingest:MaxWarnings=0", "MaxWarnings")]
    public async Task BadSetting_FailsAtStartNamingTheKey(string settings, string expected)
    {
        var configuration = settings.Split('|').Select(s => s.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);
        using var host = Build(configuration);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> UniqueNames() => new()
    {
        ["Ingest:Azure:DumpContainer"] = AzuriteCollection.UniqueName("d"),
        ["Ingest:Azure:GroupsTable"] = AzuriteCollection.UniqueName("g"),
        ["Ingest:Azure:OccurrencesTable"] = AzuriteCollection.UniqueName("o"),
    };

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddKDumpIngest(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Uploads the panic log as the relay would and returns its ingest message.</summary>
    private async Task<IngestMessage> UploadAsync(string container)
    {
        var content = Encoding.UTF8.GetBytes(Panic);
        var containerClient = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container);
        await containerClient.CreateIfNotExistsAsync();
        var dumpId = Guid.CreateVersion7();
        var blob = containerClient.GetBlobClient($"2026/11/30/{dumpId:D}/paniclog-xnu-4570.71.2");
        await blob.UploadAsync(new BinaryData(content));
        return new IngestMessage
        {
            DumpId = dumpId,
            BlobUri = blob.Uri,
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Complete = true,
            Client = "10.0.40.7:1069",
            FileName = "paniclog-xnu-4570.71.2",
            RelayHost = "relay-under-test",
        };
    }
}
