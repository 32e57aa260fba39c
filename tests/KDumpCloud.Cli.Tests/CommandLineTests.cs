using System.CommandLine;
using KDumpCloud.Cli.Commands;

namespace KDumpCloud.Cli.Tests;

/// <summary>The real <c>kdumpcloud</c> command line, invoked in process with captured output.</summary>
public class CommandLineTests
{
    internal static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string>(), CancellationToken.None, args);

    /// <summary>Runs with <paramref name="environment"/> as the environment <c>crashes</c> and <c>ingest</c> read
    /// (KDumpStorage and the Ingest settings), never the test process's own.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(System.Collections.IDictionary environment,
        CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await KdumpCloudCommand.Create(environment).Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_ListsBothCommands()
    {
        var (exitCode, output, _) = await RunAsync("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("send", output, StringComparison.Ordinal);
        Assert.Contains("decode", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendHelp_ExplainsGenerationsLossAndConcurrency()
    {
        var (exitCode, output, _) = await RunAsync("send", "--help");
        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--generation", "--loss", "--duplicate", "--concurrency", "--timing", "--kind" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--random-bytes", "lots")]
    [InlineData("--loss", "1.5")]
    [InlineData("--server", "::1")]
    public async Task Send_BadOption_ExitsTwoWithAMessageAndSendsNothing(string option, string value)
    {
        var (exitCode, _, error) = await RunAsync("send", "--port", "9", option, value);
        Assert.Equal(2, exitCode);
        Assert.Contains("kdumpcloud send:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kind", "core")]
    [InlineData("--random-bytes", "4k")]
    public async Task Send_ExamplePanicWithAnotherContentOrKind_ExitsTwo(string option, string value)
    {
        var (exitCode, _, error) = await RunAsync("send", "--port", "9", "--example-panic", option, value);
        Assert.Equal(2, exitCode);
        Assert.Contains("--example-panic", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_UnknownGeneration_IsAParseErrorNamingTheValue()
    {
        var (exitCode, _, error) = await RunAsync("send", "--port", "9", "--generation", "9.2");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("9.2", error, StringComparison.Ordinal);
    }
}
