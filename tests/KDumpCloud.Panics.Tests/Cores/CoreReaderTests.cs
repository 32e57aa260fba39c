using KDumpCloud.Panics.Cores;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Model;
using KDumpCloud.Panics.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Cores;

public class CoreReaderTests
{
    private static readonly string PanicText = SyntheticPanics.FromPanicLine(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000));

    [Fact]
    public void Extract_RawMachOCore_FindsPanicTextAndVersionNote()
    {
        var core = CoreFixtures.MachOCore(PanicText, 1 << 20, panicOffset: 700_000);

        var extraction = CoreReader.Extract(new NonSeekableStream(core));

        Assert.Equal(PanicContainer.CoreMachO, extraction.Container);
        Assert.StartsWith("panic(cpu 0 caller", extraction.PanicText, StringComparison.Ordinal);
        Assert.Equal(PanicText.TrimEnd('\n'), extraction.PanicText!.TrimEnd('\n'));
        Assert.Equal(CoreFixtures.KernelVersion, extraction.KernelVersion);
    }

    [Fact]
    public void Extract_GzipCore_FindsPanicText()
    {
        var core = CoreFixtures.Gzip(CoreFixtures.MachOCore(PanicText, 1 << 20, panicOffset: 300_000));

        var extraction = CoreReader.Extract(new NonSeekableStream(core));

        Assert.Equal(PanicContainer.CoreGzip, extraction.Container);
        Assert.StartsWith("panic(cpu 0 caller", extraction.PanicText, StringComparison.Ordinal);
        Assert.Equal(CoreFixtures.KernelVersion, extraction.KernelVersion);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(20)]
    public void Extract_MarkerStraddlingAReadBoundary_IsStillFound(int bytesBeforeBoundary)
    {
        // The reader works in 256 KiB chunks; place "panic(cpu N" so that the chunk ends inside it.
        const int chunk = 256 * 1024;
        var core = CoreFixtures.MachOCore(PanicText, 1 << 20, panicOffset: 0, withVersionNote: false);
        var memoryAt = core.Length - (1 << 20);
        var panicAt = chunk - bytesBeforeBoundary;
        core.AsSpan(memoryAt, panicAt - memoryAt).Clear();
        System.Text.Encoding.UTF8.GetBytes(PanicText + "\0").CopyTo(core, panicAt);

        var extraction = CoreReader.Extract(new NonSeekableStream(core));

        Assert.Equal(PanicText.TrimEnd('\n'), extraction.PanicText?.TrimEnd('\n'));
    }

    [Fact]
    public void Extract_VersionNotePresent_WinsOverStringsInMemory()
    {
        var core = CoreFixtures.MachOCore(PanicText, 1 << 18, panicOffset: 10_000);
        System.Text.Encoding.ASCII.GetBytes("Darwin Kernel Version 99.0.0: not this one\0").CopyTo(core, core.Length - 4000);

        var extraction = CoreReader.Extract(new MemoryStream(core));

        Assert.Equal(CoreFixtures.KernelVersion, extraction.KernelVersion);
    }

    [Fact]
    public void Extract_VersionOnlyInMemory_IsFoundWithoutNote()
    {
        var core = CoreFixtures.MachOCore(PanicText, 1 << 18, panicOffset: 10_000, withVersionNote: false);
        System.Text.Encoding.ASCII.GetBytes(CoreFixtures.KernelVersion + "\0").CopyTo(core, core.Length - 4000);

        var extraction = CoreReader.Extract(new MemoryStream(core));

        Assert.Equal(CoreFixtures.KernelVersion, extraction.KernelVersion);
    }

    [Fact]
    public void Extract_CorruptGzip_ReturnsWarningsNotAnException()
    {
        var core = CoreFixtures.Gzip(CoreFixtures.MachOCore(PanicText, 1 << 20, panicOffset: 900_000));
        new Random(7).NextBytes(core.AsSpan(200, 400));

        var extraction = CoreReader.Extract(new MemoryStream(core));

        Assert.NotEmpty(extraction.Warnings);
    }

    [Fact]
    public void Extract_CoreWithoutPanicText_SaysSo()
    {
        var core = CoreFixtures.MachOCore("no marker here", 1 << 18, panicOffset: 5000);

        var extraction = CoreReader.Extract(new MemoryStream(core));

        Assert.Null(extraction.PanicText);
        Assert.Contains(extraction.Warnings, w => w.Contains("no panic text", StringComparison.Ordinal));
    }

    [Fact]
    public void Extract_LargerCore_AllocatesNoMoreThanASmallOne()
    {
        var small = CoreFixtures.Gzip(CoreFixtures.MachOCore(PanicText, 2 << 20, panicOffset: (2 << 20) - 20_000));
        var large = CoreFixtures.Gzip(CoreFixtures.MachOCore(PanicText, 32 << 20, panicOffset: (32 << 20) - 20_000));
        CoreReader.Extract(new MemoryStream(small)); // warm up

        var smallBytes = AllocatedBy(() => CoreReader.Extract(new MemoryStream(small)));
        var largeBytes = AllocatedBy(() => CoreReader.Extract(new MemoryStream(large)));

        // Flat memory: sixteen times the input (112 more 256 KiB reads) may not cost more than a few kilobytes.
        Assert.True(largeBytes - smallBytes < 16 * 1024, $"small core allocated {smallBytes} bytes, large core {largeBytes} bytes");
    }

    [Fact]
    public void DecodeFile_GzipCore_DecodesThePanicAndUsesTheCoreKernelVersion()
    {
        var text = PanicText[..PanicText.IndexOf("Kernel version:", StringComparison.Ordinal)];
        var path = Path.Combine(Path.GetTempPath(), $"core-{Guid.NewGuid():N}.gz");
        File.WriteAllBytes(path, CoreFixtures.Gzip(CoreFixtures.MachOCore(text, 1 << 20, panicOffset: 400_000)));
        try
        {
            var report = PanicFileDecoder.Decode(path);

            Assert.Equal(PanicContainer.CoreGzip, report.Container);
            Assert.Equal("com.example.driver.Widget", report.Culprit);
            Assert.Equal(CoreFixtures.KernelVersion, report.KernelVersion);
            Assert.Equal("x86_64", report.Architecture);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static long AllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
