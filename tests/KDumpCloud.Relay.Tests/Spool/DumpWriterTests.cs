using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.Spool;

public class DumpWriterTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n") + ".bin");

    public DumpWriterTests() => Directory.CreateDirectory(Path.GetDirectoryName(_path)!);

    private readonly DumpProgress _progress = new(Guid.CreateVersion7(), "core-test", DumpState.Receiving, 0, null);

    private DumpWriter Open() => new(File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read), _progress);

    [Fact]
    public void Write_ContiguousPayloads_StayBufferedUntilFlush()
    {
        using var writer = Open();
        writer.Write([1, 2, 3], 0, rewrites: false);
        writer.Write([4, 5], 3, rewrites: false);

        Assert.Equal(0, writer.FileLength);
        writer.Flush();
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, File.ReadAllBytes(_path));
    }

    [Fact]
    public void Write_ElsewhereAfterASeek_FlushesWhatWasBufferedFirst()
    {
        using var writer = Open();
        writer.Write([1, 1, 1, 1], 0, rewrites: false);
        writer.Write([9], 10, rewrites: false);
        writer.Write([2, 2], 1, rewrites: true);
        writer.FlushToDisk();

        Assert.Equal(new byte[] { 1, 2, 2, 1, 0, 0, 0, 0, 0, 0, 9 }, File.ReadAllBytes(_path));
        Assert.Equal(11, _progress.WrittenLength);
        Assert.Equal([new ByteRange(1, 2)], _progress.TakeRewrittenRanges());
        Assert.Empty(_progress.TakeRewrittenRanges());
    }

    [Fact]
    public async Task Flush_PublishesTheHighWaterMarkOnlyOnceTheBytesAreInTheFile()
    {
        using var writer = Open();
        writer.Write([1, 2, 3], 0, rewrites: false);
        var waiting = _progress.WaitForChangeAsync(0, CancellationToken.None);

        Assert.Equal(0, _progress.WrittenLength);
        Assert.False(waiting.IsCompleted);
        writer.Flush();
        Assert.Equal(3, _progress.WrittenLength);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(_progress.TakeRewrittenRanges());
    }

    [Fact]
    public void Write_PastTheBuffer_WritesWhatFilledIt()
    {
        using var writer = Open();
        var content = TestContent.Random(DumpWriter.BufferSize * 3 + 700, 3);
        for (var offset = 0; offset < content.Length; offset += 1406)
        {
            writer.Write(content.AsSpan(offset, Math.Min(1406, content.Length - offset)), offset, rewrites: false);
        }

        Assert.InRange(writer.FileLength, content.Length - DumpWriter.BufferSize, content.Length - 1);
        writer.Flush();
        Assert.Equal(content, File.ReadAllBytes(_path));
    }

    [Fact]
    public void Write_PayloadLargerThanTheBuffer_GoesStraightToTheFile()
    {
        using var writer = Open();
        var content = TestContent.Random(DumpWriter.BufferSize + 1, 4);
        writer.Write(content, 0, rewrites: false);
        Assert.Equal(content.Length, writer.FileLength);
    }

    public void Dispose() => File.Delete(_path);
}
