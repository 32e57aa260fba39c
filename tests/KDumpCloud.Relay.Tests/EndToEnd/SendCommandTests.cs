using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using KDumpCloud.Cli.Commands;
using KDumpCloud.Relay.Tests.Support;

namespace KDumpCloud.Relay.Tests.EndToEnd;

/// <summary>What a user checking a setup types: <c>kdumpcloud send</c> against a running relay.</summary>
public partial class SendCommandTests
{
    [Fact]
    public async Task SendCommand_ConcurrentGzipCores_AllArriveWithThePrintedHashes()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await KdumpCloudCommand.Create()
            .Parse(["send", "--port", relay.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "--random-bytes", "200k",
                "--gzip", "--concurrency", "4", "--timing", "fast", "--name", "core-setup-check.gz"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.True(exitCode == 0, error.ToString() + output);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Count(line => line.StartsWith("completed", StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.StartsWith("total", StringComparison.Ordinal) && line.Contains("4/4 completed", StringComparison.Ordinal));
        foreach (Match match in CompletedLine().Matches(output.ToString()))
        {
            var stored = await File.ReadAllBytesAsync(relay.DumpPath(match.Groups["name"].Value));
            Assert.Equal(match.Groups["sha"].Value, Convert.ToHexStringLower(SHA256.HashData(stored)));
        }
    }

    [Fact]
    public async Task SendCommand_NameAlreadyOnTheRelay_ExitsOneAndSaysRefused()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        await File.WriteAllTextAsync(relay.DumpPath("core-exists"), "x");
        var output = new StringWriter();

        var exitCode = await KdumpCloudCommand.Create()
            .Parse(["send", "--port", relay.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "--random-bytes", "10k",
                "--timing", "fast", "--name", "core-exists"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = new StringWriter() });

        Assert.Equal(1, exitCode);
        Assert.Contains("File exists", output.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^completed\s+(?<name>\S+)\s.*sha256 (?<sha>[0-9a-f]{64})", RegexOptions.Multiline)]
    private static partial Regex CompletedLine();
}
