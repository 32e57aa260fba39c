using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Output;
using KDumpCloud.Panics.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Decoding;

/// <summary>
/// Every real log decodes, and what the decoder reports agrees with what a plain reading of the same file
/// shows (the test finds the values with its own simple patterns, not with the decoder's code).
/// </summary>
public partial class CorpusDecodingTests
{
    [CorpusTheory]
    [MemberData(nameof(CorpusFiles.All), MemberType = typeof(CorpusFiles))]
    public void DecodeFile_CorpusLog_GivesAReportAFingerprintAndJson(string file)
    {
        var report = PanicFileDecoder.Decode(Corpus.PathOf(file));
        var fingerprint = Fingerprinter.Compute(report);

        Assert.Matches("^[0-9a-f]{32}$", fingerprint.Hash);
        Assert.InRange(fingerprint.Signature.Length, 1, 255);
        using var json = JsonDocument.Parse(PanicJsonLines.Format(file, report, fingerprint));
        Assert.Equal(file, json.RootElement.GetProperty("file").GetString());
    }

    [CorpusTheory]
    [MemberData(nameof(CorpusFiles.All), MemberType = typeof(CorpusFiles))]
    public void DecodeFile_CorpusLog_AgreesWithAPlainReadingOfTheFile(string file)
    {
        var text = File.ReadAllText(Corpus.PathOf(file));
        var report = PanicFileDecoder.Decode(Corpus.PathOf(file));

        if (PanicLinePattern().Match(text) is { Success: true } panic)
        {
            Assert.Equal(int.Parse(panic.Groups[1].ValueSpan, CultureInfo.InvariantCulture), report.Cpu);
            Assert.Equal(ulong.Parse(panic.Groups[2].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture), report.CallerAddress);
        }

        if (SlidePattern().Match(text) is { Success: true } slide)
        {
            Assert.Equal(ulong.Parse(slide.Groups[1].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture), report.KernelSlide);
        }

        if (ReleasePattern().Match(text) is { Success: true } release)
        {
            var expected = release.Groups[1].Value switch { "X86_64" => "x86_64", "I386" => "i386", "PPC" => "ppc", _ => "arm64" };
            Assert.Equal(expected, report.Architecture);
        }

        var frameLines = FramePattern().Matches(text).Count;
        Assert.True(report.Frames.Count >= frameLines, $"{frameLines} frame lines in the file, {report.Frames.Count} decoded");
        if (frameLines == 0 && report.Frames.Count == 0)
        {
            Assert.Contains(report.Warnings, w => w.Contains("backtrace", StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"^[>\s`;a-z]*panic\(cpu (\d+) caller 0x([0-9a-fA-F]+)\)", RegexOptions.Multiline)]
    private static partial Regex PanicLinePattern();

    [GeneratedRegex(@"^[>\s]*Kernel slide:\s+0x([0-9a-fA-F]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SlidePattern();

    [GeneratedRegex(@"RELEASE(?:\\?_)(X86_64|I386|PPC|ARM64)")]
    private static partial Regex ReleasePattern();

    [GeneratedRegex(@"^[>\s""]*0x[0-9a-f]{8,16} : 0x[0-9a-f]{6,16}\b", RegexOptions.Multiline)]
    private static partial Regex FramePattern();
}
