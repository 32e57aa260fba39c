using System.Text.Json;

namespace KDumpCloud.Cli.Tests;

/// <summary><c>kdumpcloud decode</c> end to end, on panic logs written by the test.</summary>
public sealed class DecodeCommandTests : IDisposable
{
    private const string PanicLog = """
        Anonymous UUID:       11111111-2222-3333-4444-555555555555

        Mon Jan  6 10:00:00 2025
        panic(cpu 2 caller 0xffffff8012345678): "Widget watchdog fired after 120 seconds"@/Sources/Widget/Widget.cpp:42
        Backtrace (CPU 2), Frame : Return Address
        0xffffff81f3e3bc50 : 0xffffff8012345678 mach_kernel : _panic + 0x20
        0xffffff81f3e3bcb0 : 0xffffff7f92345678 com.example.driver.Widget : __ZN6Widget4tickEv + 0x40
              Kernel Extensions in backtrace:
                 com.example.driver.Widget(1.2.3)[AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE]@0xffffff7f92300000->0xffffff7f923fffff

        BSD process name corresponding to current thread: kernel_task

        Mac OS version:
        19H2

        Kernel version:
        Darwin Kernel Version 19.6.0: Sun Jul  5 00:43:10 PDT 2020; root:xnu-6153.141.1~9/RELEASE_X86_64
        Kernel slide:     0x0000000011e00000
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n"));

    public DecodeCommandTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Decode_Json_PrintsOneObjectPerFileAndGroupsTheSameCrash()
    {
        var first = Path.Combine(_directory, "a.panic.txt");
        var second = Path.Combine(_directory, "b.panic.txt");
        await File.WriteAllTextAsync(first, PanicLog);
        // The same crash on another boot: other CPU, slide and time.
        await File.WriteAllTextAsync(second, PanicLog.Replace("cpu 2", "cpu 5", StringComparison.Ordinal)
            .Replace("0x0000000011e00000", "0x0000000003a00000", StringComparison.Ordinal)
            .Replace("10:00:00", "23:59:59", StringComparison.Ordinal));

        var (exitCode, output, error) = await CommandLineTests.RunAsync("decode", "--json", first, second);

        Assert.True(exitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var documents = lines.Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        foreach (var property in new[] { "file", "format", "panicMessage", "kind", "culprit", "fingerprint", "signature", "kernelVersion", "osBuild", "frames", "kexts", "warnings" })
        {
            Assert.True(documents[0].TryGetProperty(property, out _), $"missing {property}");
        }

        Assert.Equal(documents[0].GetProperty("fingerprint").ToString(), documents[1].GetProperty("fingerprint").ToString());
        Assert.Equal("19H2", documents[0].GetProperty("osBuild").GetString());
    }

    [Fact]
    public async Task Decode_MissingFile_SaysSoAndStillDecodesTheOthers()
    {
        var present = Path.Combine(_directory, "present.txt");
        await File.WriteAllTextAsync(present, PanicLog);

        var (exitCode, output, error) = await CommandLineTests.RunAsync("decode", Path.Combine(_directory, "absent.txt"), present);

        Assert.Equal(1, exitCode);
        Assert.Contains("absent.txt", error, StringComparison.Ordinal);
        Assert.Contains("Widget watchdog", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_RulesAndExplain_ShowWhichLabRuleForcedTheGroup()
    {
        var log = Path.Combine(_directory, "widget.txt");
        var rules = Path.Combine(_directory, "lab.rules");
        await File.WriteAllTextAsync(log, PanicLog);
        await File.WriteAllTextAsync(rules, "# lab rules\nkext:com.other.* -> group=other\nmessage:\"*watchdog fired*\" kext:com.example.* -> group=widget-watchdog\n");

        var (exitCode, output, error) = await CommandLineTests.RunAsync("decode", "--rules", rules, "--explain", log);
        var (_, plain, _) = await CommandLineTests.RunAsync("decode", log);

        Assert.True(exitCode == 0, error);
        Assert.Contains("group forced to widget-watchdog by lab rule line 3", output, StringComparison.Ordinal);
        Assert.Contains("Hashed:", output, StringComparison.Ordinal);
        Assert.Contains("group=widget-watchdog", output, StringComparison.Ordinal);
        Assert.DoesNotContain("lab rule", plain, StringComparison.Ordinal);
        Assert.NotEqual(Fingerprint(output), Fingerprint(plain));
    }

    [Fact]
    public async Task Decode_JsonWithRules_CarriesTheExplanation()
    {
        var log = Path.Combine(_directory, "widget.txt");
        var rules = Path.Combine(_directory, "lab.rules");
        await File.WriteAllTextAsync(log, PanicLog);
        await File.WriteAllTextAsync(rules, "culprit:com.example.driver.* -> add=culprit\n");

        var (exitCode, output, error) = await CommandLineTests.RunAsync("decode", "--json", "--rules", rules, log);

        Assert.True(exitCode == 0, error);
        var explanation = JsonDocument.Parse(output).RootElement.GetProperty("fingerprintExplanation").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(explanation, line => line!.StartsWith("rule-culprit=com.example.driver.Widget added by lab rule line 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Decode_BadRulesFile_NamesTheLineAndDecodesNothing()
    {
        var log = Path.Combine(_directory, "widget.txt");
        var rules = Path.Combine(_directory, "bad.rules");
        await File.WriteAllTextAsync(log, PanicLog);
        await File.WriteAllTextAsync(rules, "kext:com.example.* -> group=ok\nproduct:Mac* -> group=x\n");

        var (exitCode, output, error) = await CommandLineTests.RunAsync("decode", "--rules", rules, log);

        Assert.Equal(2, exitCode);
        Assert.Contains("line 2: unknown field \"product\"", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Decode_Summary_SaysWhyTheFingerprintIsWhatItIs()
    {
        var log = Path.Combine(_directory, "widget.txt");
        await File.WriteAllTextAsync(log, PanicLog);

        var (exitCode, output, error) = await CommandLineTests.RunAsync("decode", log);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Because:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hashed:", output, StringComparison.Ordinal);
    }

    private static string Fingerprint(string summary) =>
        summary.Split('\n').Single(line => line.TrimStart().StartsWith("Fingerprint:", StringComparison.Ordinal));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
