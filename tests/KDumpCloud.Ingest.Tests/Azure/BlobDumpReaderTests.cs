using Azure.Storage.Blobs;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Ingest.Tests.Azure;

/// <summary>The blob reader against Azurite: reads blobs of its container as streams, refuses everything else.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobDumpReaderTests(AzuriteServer azurite) : IAsyncLifetime
{
    private readonly BlobContainerClient _container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(AzuriteCollection.UniqueName("d"));

    public async Task InitializeAsync() => await _container.CreateAsync();

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task Open_BlobOfTheContainer_StreamsItsBytes()
    {
        var content = new byte[(3 * 1024 * 1024) + 17];
        Random.Shared.NextBytes(content);
        var blob = _container.GetBlobClient("2026/11/30/4f1c/core-xnu-11215.gz");
        await blob.UploadAsync(new BinaryData(content));

        await using var stream = await new BlobDumpReader(_container).OpenAsync(Message(blob.Uri), CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task Open_MissingBlob_IsDumpMissing()
    {
        var uri = _container.GetBlobClient("2026/11/30/nothing/core").Uri;

        var error = await Assert.ThrowsAsync<DumpMissingException>(() => new BlobDumpReader(_container).OpenAsync(Message(uri), CancellationToken.None));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{other}/core")]                       // another container of the account
    [InlineData("{container}/../{other}/core")]        // dot segments (normalised by Uri, then still another container)
    [InlineData("{container}/%2E%2E/{other}/core")]    // escaped dot segments
    [InlineData("{container}/a//core")]                 // an empty segment
    [InlineData("{container}/a%5C..%5Ccore")]           // backslashes
    [InlineData("{container}/a%00core")]                // control characters
    [InlineData("{container}/")]                        // the container itself
    [InlineData("{container}x/core")]                   // a container whose name only starts the same
    public async Task Open_UriOutsideTheContainer_IsRefusedWithoutReading(string path)
    {
        var other = AzuriteCollection.UniqueName("x");
        await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(other).CreateAsync();
        await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(other).GetBlobClient("core").UploadAsync(new BinaryData("secret"u8.ToArray()));
        var account = azurite.BlobEndpoint.ToString().TrimEnd('/');
        var uri = new Uri($"{account}/{path.Replace("{container}", _container.Name, StringComparison.Ordinal).Replace("{other}", other, StringComparison.Ordinal)}");

        var error = await Assert.ThrowsAsync<DumpMissingException>(() => new BlobDumpReader(_container).OpenAsync(Message(uri), CancellationToken.None));

        Assert.Contains("this worker reads only that container", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/devstoreaccount1/{container}/core")]
    [InlineData("http://user@127.0.0.1:{port}/devstoreaccount1/{container}/core")]
    [InlineData("http://127.0.0.2:{port}/devstoreaccount1/{container}/core")]
    [InlineData("http://127.0.0.1:1/devstoreaccount1/{container}/core")]
    [InlineData("https://127.0.0.1:{port}/devstoreaccount1/{container}/core")]
    [InlineData("file:///devstoreaccount1/{container}/core")]
    public void BlobNameOf_AnotherHostPortSchemeOrUser_IsNull(string template)
    {
        var uri = new Uri(template.Replace("{container}", _container.Name, StringComparison.Ordinal)
            .Replace("{port}", azurite.BlobEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.Null(new BlobDumpReader(_container).BlobNameOf(uri));
    }

    [Fact]
    public void BlobNameOf_EscapedNameInTheContainer_IsUnescaped()
    {
        var uri = _container.GetBlobClient("2026/11/30/id/core file+1.gz").Uri;

        Assert.Equal("2026/11/30/id/core file+1.gz", new BlobDumpReader(_container).BlobNameOf(uri));
    }

    private static IngestMessage Message(Uri blob) => new()
    {
        DumpId = Guid.CreateVersion7(),
        BlobUri = blob,
        Size = 0,
        Complete = true,
        Client = "10.0.40.7:1069",
        FileName = "core",
        RelayHost = "relay",
    };
}
