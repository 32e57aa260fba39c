using System.Text.Json;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Output;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Output;

public class OutputTests
{
    private static readonly string[] RequiredKeys =
        ["file", "format", "panicMessage", "kind", "culprit", "fingerprint", "signature", "kernelVersion", "osBuild", "frames", "kexts", "warnings"];

    [Fact]
    public void JsonLines_DecodedLog_IsOneLineWithTheRequiredKeys()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000));
        var fingerprint = Fingerprinter.Compute(report);
        var writer = new StringWriter();

        PanicJsonLines.Write(writer, "panic.txt", report, fingerprint);

        var text = writer.ToString();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text.TrimEnd('\n'));
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        foreach (var key in RequiredKeys)
        {
            Assert.True(root.TryGetProperty(key, out _), $"missing {key}");
        }

        Assert.Equal("panic.txt", root.GetProperty("file").GetString());
        Assert.Equal(fingerprint.Hash, root.GetProperty("fingerprint").GetString());
        Assert.Equal("com.example.driver.Widget", root.GetProperty("culprit").GetString());
        Assert.Equal(report.Frames.Count, root.GetProperty("frames").GetArrayLength());
        Assert.Equal("0x79fd", root.GetProperty("frames")[4].GetProperty("kextOffset").GetString());
        Assert.Equal("Message", root.GetProperty("kind").GetProperty("category").GetString());
    }

    [Fact]
    public void JsonLines_ReportWithNothingFound_StillHasEmptyListsAndWarnings()
    {
        var report = PanicDecoder.Decode("nothing to see");

        using var document = JsonDocument.Parse(PanicJsonLines.Format("x", report, Fingerprinter.Compute(report)));

        Assert.Equal(0, document.RootElement.GetProperty("frames").GetArrayLength());
        Assert.True(document.RootElement.GetProperty("warnings").GetArrayLength() > 0);
    }

    [Fact]
    public void Summary_DecodedLog_ShowsTheIdentifyingFields()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000));
        var fingerprint = Fingerprinter.Compute(report);

        var summary = PanicSummary.Format("panic.txt", report, fingerprint);

        Assert.StartsWith("== panic.txt\n", summary, StringComparison.Ordinal);
        Assert.Contains("Culprit:     com.example.driver.Widget", summary, StringComparison.Ordinal);
        Assert.Contains(fingerprint.Hash, summary, StringComparison.Ordinal);
        Assert.Contains(fingerprint.Signature, summary, StringComparison.Ordinal);
        Assert.Contains("com.example.driver.Widget + 0x79fd", summary, StringComparison.Ordinal);
        Assert.Contains("OS build:    17E199", summary, StringComparison.Ordinal);
    }
}
