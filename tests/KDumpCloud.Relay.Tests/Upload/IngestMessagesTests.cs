using System.Text.Json;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Upload;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>The relay's one factory of the ingest contract, for the uploader's blob and the embedded ingest's file.</summary>
public class IngestMessagesTests
{
    private static readonly DumpJournal Finished = new()
    {
        DumpId = Guid.Parse("01900000-0000-7000-8000-0000000000a1"),
        FileName = "paniclog-xnu-11417.121.6-10.0.40.7-5f3a9c21",
        Client = "10.0.40.7:1069",
        State = DumpState.Incomplete,
        Reason = "the Mac fell silent",
        FileLength = 12_345,
        Sha256 = new string('a', 64),
        StartedAt = new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 12, 1, 23, 59, 50, 123, TimeSpan.Zero).AddTicks(4567),
    };

    [Fact]
    public void For_BlobAndFile_DifferOnlyInWhereTheDumpIs()
    {
        var blob = new Uri("https://account.blob.core.windows.net/dumps/2026/12/01/x/paniclog");
        var file = FileDumpReader.UriFor(Path.Combine(Path.GetTempPath(), "dumps", Finished.FileName));

        var uploaded = IngestMessages.For(Finished, blob, "relay-1");
        var embedded = IngestMessages.For(Finished, file, "relay-1");

        Assert.Equal(blob, uploaded.BlobUri);
        Assert.Equal(file, embedded.BlobUri);
        Assert.Equal(uploaded, embedded with { BlobUri = blob });
    }

    [Fact]
    public void For_CarriesTheJournalTheNameAndWhenTheDumpEnded()
    {
        var message = IngestMessages.For(Finished, new Uri("http://127.0.0.1:10000/devstoreaccount1/dumps/x"), "relay-1");

        Assert.Equal(Finished.DumpId, message.DumpId);
        Assert.Equal(12_345, message.Size);
        Assert.Equal(Finished.Sha256, message.Sha256);
        Assert.False(message.Complete);
        Assert.Equal("the Mac fell silent", message.Reason);
        Assert.Equal("10.0.40.7:1069", message.Client);
        Assert.Equal(Finished.FileName, message.FileName);
        Assert.Equal("relay-1", message.RelayHost);
        Assert.Equal(Finished.FinishedAt, message.ReceivedAt);
        Assert.Equal("paniclog", message.Kind);
        Assert.Equal("xnu-11417.121.6", message.KernelVersion);
        Assert.True(IngestMessages.For(Finished with { State = DumpState.Complete }, message.BlobUri, "relay-1").Complete);
    }

    [Fact]
    public void For_DumpNotYetEnded_NoReceivedAtOnTheWire()
    {
        var message = IngestMessages.For(Finished with { FinishedAt = null }, new Uri("http://127.0.0.1/dumps/x"), "relay-1");

        Assert.Null(message.ReceivedAt);
        Assert.DoesNotContain("receivedAt", message.ToJson(), StringComparison.Ordinal);
    }

    /// <summary>The wire form the Function reads: the fields the relay always sent, in camel case, and receivedAt.</summary>
    [Fact]
    public void ToJson_TheWireContract_FieldNamesAndValuesRoundTrip()
    {
        var message = IngestMessages.For(Finished, new Uri("http://127.0.0.1:10000/devstoreaccount1/dumps/a%20b"), "relay-1");

        var json = message.ToJson();

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(
            ["blobUri", "client", "complete", "dumpId", "fileName", "kernelVersion", "kind", "reason", "receivedAt", "relayHost", "sha256", "size"],
            root.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
        Assert.Equal("01900000-0000-7000-8000-0000000000a1", root.GetProperty("dumpId").GetString());
        Assert.Equal(12_345, root.GetProperty("size").GetInt64());
        Assert.Equal(JsonValueKind.False, root.GetProperty("complete").ValueKind);
        Assert.Equal(Finished.FinishedAt, root.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal(message, IngestMessage.FromJson(json));
    }
}
