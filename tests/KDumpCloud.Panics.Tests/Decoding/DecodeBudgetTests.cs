using System.IO.Compression;
using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Model;
using KDumpCloud.Panics.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Decoding;

/// <summary>
/// Issue 6 item 11: one decode may read and spend only so much, whatever the input; reaching a bound is a warning,
/// not an exception; and the asynchronous entry point reads without blocking a thread.
/// </summary>
public class DecodeBudgetTests
{
    private static readonly string PanicText = SyntheticPanics.FromPanicLine(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000));
    private static readonly Lazy<byte[]> ZeroMembers = new(() => GzipMembersOfZeros(members: 8, memberBytes: 8 << 20));

    [Fact]
    public void Decode_GzipMembersOfZeros_StopsAtTheByteBudgetWithAWarning()
    {
        // The 50 members of 1 GB of zeros, scaled down: 8 members of 8 MiB, a 16 MiB budget.
        var report = PanicFileDecoder.Decode(new MemoryStream(ZeroMembers.Value), new PanicDecoderOptions { MaxCoreBytes = 16 << 20 });

        Assert.Equal(PanicContainer.CoreGzip, report.Container);
        Assert.Contains(report.Warnings, w => w.Contains("MaxCoreBytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DecodeAsync_GzipMembersOfZeros_StopsAtTheByteBudgetWithAWarning()
    {
        var report = await PanicFileDecoder.DecodeAsync(new AsyncOnlyStream(ZeroMembers.Value), new PanicDecoderOptions { MaxCoreBytes = 16 << 20 });

        Assert.Contains(report.Warnings, w => w.Contains("MaxCoreBytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_CoreLongerThanTheTimeBudget_StopsWithAWarning()
    {
        // Every look at the clock moves it on by a second: a 10 s budget ends the scan after a few reads.
        var core = new ZeroCoreStream(length: 1L << 30);
        var options = new PanicDecoderOptions { MaxDuration = TimeSpan.FromSeconds(10), TimeProvider = new SteppingTimeProvider(TimeSpan.FromSeconds(1)) };

        var report = PanicFileDecoder.Decode(core, options);

        Assert.Contains(report.Warnings, w => w.Contains("MaxDuration", StringComparison.Ordinal));
        Assert.True(core.Produced < 64 << 20, $"read {core.Produced} bytes after the time budget was spent");
    }

    [Fact]
    public void Decode_TextLongerThanMaxTextBytes_ReadsOnlyThatFar()
    {
        var text = Encoding.UTF8.GetBytes(PanicText + new string('x', 100_000));

        var report = PanicFileDecoder.Decode(new MemoryStream(text), new PanicDecoderOptions { MaxTextBytes = 50_000 });

        Assert.Contains(report.Warnings, w => w.Contains("only the first 50000 bytes", StringComparison.Ordinal));
        Assert.Equal("com.example.driver.Widget", report.Culprit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DecodeAsync_StreamThatOnlyReadsAsynchronously_IsDecoded(bool core)
    {
        var bytes = core
            ? CoreFixtures.Gzip(CoreFixtures.MachOCore(PanicText, 1 << 20, panicOffset: 600_000))
            : Encoding.UTF8.GetBytes(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000));

        var report = await PanicFileDecoder.DecodeAsync(new AsyncOnlyStream(bytes));

        Assert.Equal(core ? PanicContainer.CoreGzip : PanicContainer.Text, report.Container);
        Assert.Equal("com.example.driver.Widget", report.Culprit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DecodeAsync_StreamThatStalls_EndsAtTheDeadlineWithAWarning(bool core)
    {
        var bytes = core ? CoreFixtures.MachOCore(PanicText, 1 << 20, panicOffset: 900_000) : Encoding.UTF8.GetBytes(PanicText);
        var stalling = new AsyncOnlyStream(bytes, stallAfter: core ? 512 * 1024 : 1000);
        var options = new PanicDecoderOptions { MaxDuration = TimeSpan.FromMilliseconds(300) };

        var report = await PanicFileDecoder.DecodeAsync(stalling, options).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(report.Warnings, w => w.Contains("MaxDuration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DecodeAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var core = CoreFixtures.MachOCore(PanicText, 4 << 20, panicOffset: 4_000_000);
        var stream = new AsyncOnlyStream(core, onRead: reads =>
        {
            if (reads == 3)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PanicFileDecoder.DecodeAsync(stream, cancellationToken: cancellation.Token));
    }

    [Fact]
    public void Decode_OptionsNoDecodeCanHonour_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PanicFileDecoder.Decode(new MemoryStream([1]), new PanicDecoderOptions { MaxCoreBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PanicFileDecoder.Decode(new MemoryStream([1]), new PanicDecoderOptions { MaxDuration = TimeSpan.Zero }));
    }

    private static byte[] GzipMembersOfZeros(int members, int memberBytes)
    {
        var zeros = new byte[memberBytes];
        using var output = new MemoryStream();
        for (var i = 0; i < members; i++)
        {
            using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(zeros);
        }

        return output.ToArray();
    }
}
