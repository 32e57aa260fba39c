using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Decoding;

/// <summary>A report keeps the text it was decoded from, and decoding that text again (what a regrouping does when the
/// dump is gone) gives the same crash: the same fingerprint, from a log file and from a core.</summary>
public sealed class SourceTextTests
{
    [CorpusTheory]
    [MemberData(nameof(CorpusFiles.All), MemberType = typeof(CorpusFiles))]
    public void DecodeSourceTextAgain_CorpusLog_GivesTheSameFingerprint(string file)
    {
        var report = PanicFileDecoder.Decode(Corpus.PathOf(file));

        Assert.NotNull(report.SourceText);
        var again = PanicDecoder.Decode(report.SourceText, report.KernelVersion);
        Assert.Equal(Fingerprinter.Compute(report).Hash, Fingerprinter.Compute(again).Hash);
        Assert.Equal(report.Culprit, again.Culprit);
    }

    [Fact]
    public void DecodeSourceTextAgain_GzipCoreWhoseVersionIsOnlyInItsNote_GivesTheSameFingerprint()
    {
        // The panic text alone has no "Darwin Kernel Version" line: the version (and so the body grammar) comes from the
        // core's note, which a regrouping passes back as the hint.
        const string panic = """
            panic(cpu 0 caller 0xffffff8012345678): "a driver gave up waiting"@/Library/Caches/build/IOKit/IOService.cpp:1234
            Backtrace (CPU 0), Frame : Return Address
            0xffffff81f0b1bc90 : 0xffffff8012345678
            0xffffff81f0b1bcf0 : 0xffffff7f81234567
            """;
        var core = CoreFixtures.Gzip(CoreFixtures.MachOCore(panic, memoryBytes: 256 * 1024, panicOffset: 64 * 1024));

        var report = PanicFileDecoder.Decode(new MemoryStream(core));

        Assert.NotNull(report.SourceText);
        Assert.Contains("a driver gave up waiting", report.SourceText, StringComparison.Ordinal);
        var again = PanicDecoder.Decode(report.SourceText, report.KernelVersion);
        Assert.Equal(report.Format, again.Format);
        Assert.Equal(Fingerprinter.Compute(report).Hash, Fingerprinter.Compute(again).Hash);
    }

    [Fact]
    public void SourceText_OfAKdumpdPaniclog_IsTheTextWithoutItsFill()
    {
        var bytes = Encoding.UTF8.GetBytes("panic(cpu 1 caller 0x1): \"x\"@a.c:1\n").Concat(new byte[512]).ToArray();

        var report = PanicDecoder.Decode(bytes);

        Assert.Equal("panic(cpu 1 caller 0x1): \"x\"@a.c:1\n", report.SourceText);
    }
}
