using KDumpCloud.Ingest.Model;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Upload;

namespace KDumpCloud.Relay.Tests.Upload;

public class BlobNamesTests
{
    [Theory]
    [InlineData("core-xnu-7195.141.2~1-10.0.40.7", "core-xnu-7195.141.2_1-10.0.40.7")]
    [InlineData("kernel core (Ü) #1?", "kernel_core______1_")]
    [InlineData("core.", "core")]
    [InlineData("~~~", "___")]
    [InlineData("....", "dump")]
    public void SafeFileName_AnyName_OnlyPlainCharacters(string name, string expected) =>
        Assert.Equal(expected, BlobNames.SafeFileName(name));

    [Fact]
    public void For_SameFileNameFromTwoDumps_DifferentBlobs()
    {
        var first = Journal("core-same", Guid.CreateVersion7());
        var second = Journal("core-same", Guid.CreateVersion7());

        Assert.NotEqual(BlobNames.For(first), BlobNames.For(second));
        Assert.Equal($"2026/12/01/{first.DumpId:D}/core-same", BlobNames.For(first));
    }

    [Fact]
    public void Metadata_NonAsciiAndControlCharacters_EscapedAndRecoverable()
    {
        var journal = Journal("core-ü", Guid.CreateVersion7()) with { Reason = "line\nbreak" };

        var metadata = BlobNames.Metadata(journal, "relay-ä");

        Assert.All(metadata.Values, value => Assert.All(value, c => Assert.InRange(c, ' ', '~')));
        Assert.Equal("core-ü", Uri.UnescapeDataString(metadata["filename"]));
        Assert.Equal("line\nbreak", Uri.UnescapeDataString(metadata["reason"]));
        Assert.Equal("incomplete", metadata["state"]);
    }

    [Theory]
    [InlineData("core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz", "core", "xnu-11417.121.6")]
    [InlineData("paniclog-xnu-2782.1.97-10.0.40.7-8e1d2c", "paniclog", "xnu-2782.1.97")]
    [InlineData("core-custom-17.202.40.204-a75b4eec", "core", null)]
    [InlineData("my-corename-from-panicd", null, null)]
    public void MetadataAndMessage_KernelMadeName_CarryItsKindAndKernelVersion(string fileName, string? kind, string? kernelVersion)
    {
        var journal = Journal(fileName, Guid.CreateVersion7());

        var metadata = BlobNames.Metadata(journal, "relay");
        var message = IngestMessages.For(journal, new Uri("http://127.0.0.1/dumps/x"), "relay");

        Assert.Equal(kind, metadata.GetValueOrDefault("kind"));
        Assert.Equal(kernelVersion, metadata.GetValueOrDefault("kernelversion"));
        Assert.Equal(kind, message.Kind);
        Assert.Equal(kernelVersion, message.KernelVersion);
        var json = message.ToJson();
        Assert.Equal(kind is not null, json.Contains("\"kind\":", StringComparison.Ordinal));
        Assert.Equal(kernelVersion is not null, json.Contains($"\"kernelVersion\":\"{kernelVersion}\"", StringComparison.Ordinal));
        Assert.Equal(message, IngestMessage.FromJson(json));
    }

    [Fact]
    public void BlockIds_FixedWidthDistinctAndDeterministic()
    {
        var ids = Enumerable.Range(0, UploadOptions.MaxBlocksPerBlob).Select(i => BlockIds.For(i)).ToList();

        Assert.Single(ids.Select(id => id.Length).Distinct());
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ids[42], BlockIds.For(42));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockIds.For(UploadOptions.MaxBlocksPerBlob));
        Assert.Equal(3, BlockIds.Count(2049, 1024));
        Assert.Empty(BlockIds.All(0, 1024));
    }

    private static DumpJournal Journal(string fileName, Guid dumpId) => new()
    {
        DumpId = dumpId,
        FileName = fileName,
        Client = "10.0.40.7:1069",
        State = DumpState.Incomplete,
        StartedAt = new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.Zero),
    };
}
