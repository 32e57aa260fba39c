using System.Runtime.Versioning;
using KDumpCloud.Infra.Tests.Tools;

namespace KDumpCloud.Infra.Tests;

/// <summary>infra/deploy.sh without Azure: syntax, shellcheck, --help, and --what-if printing the commands it would
/// run while running none (an <c>az</c> placed first on PATH records any call).</summary>
[SupportedOSPlatform("linux")]
public sealed class ScriptTests
{
    private static string DeployScript => Path.Combine(Repository.Infra, "deploy.sh");

    public static TheoryData<string> Scripts() => new(ScriptFiles());

    private static IEnumerable<string> ScriptFiles() =>
        Directory.EnumerateFiles(Repository.Infra, "*.sh", SearchOption.AllDirectories)
            .Where(file => !file.Contains("node_modules", StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(Repository.Root, file));

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_parses(string script)
    {
        var run = await ToolRun.RunAsync("bash", ["-n", script]);

        Assert.True(run.ExitCode == 0 && run.StandardError.Length == 0, run.ToString());
    }

    [ToolFact("shellcheck")]
    public async Task Shellcheck_finds_nothing_in_the_scripts()
    {
        var scripts = ScriptFiles().ToList();
        Assert.NotEmpty(scripts);

        var run = await ToolRun.RunAsync("shellcheck", ["--severity=style", .. scripts]);

        Assert.True(run.ExitCode == 0 && run.StandardOutput.Length == 0 && run.StandardError.Length == 0, run.ToString());
    }

    [Fact]
    public async Task Help_names_every_option()
    {
        var run = await ToolRun.RunAsync("bash", [DeployScript, "--help"]);

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--resource-group", "--location", "--parameters", "--skip-code", "--what-if", "--preview" })
        {
            Assert.Contains(option, run.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Missing_resource_group_is_refused()
    {
        var run = await ToolRun.RunAsync("bash", [DeployScript, "--what-if"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--resource-group is required", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_if_prints_the_deployment_and_publish_commands_and_runs_none()
    {
        var fakeBin = Directory.CreateTempSubdirectory("kdumpcloud-fake-az-");
        try
        {
            var called = Path.Combine(fakeBin.FullName, "called");
            foreach (var tool in new[] { "az", "dotnet", "zip" })
            {
                var path = Path.Combine(fakeBin.FullName, tool);
                await File.WriteAllTextAsync(path, $"#!/bin/sh\necho {tool} \"$@\" >> '{called}'\nexit 1\n");
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var run = await ToolRun.RunAsync("bash", [DeployScript, "--what-if", "-g", "rg-lab", "-l", "swedencentral"],
                environment: new Dictionary<string, string?> { ["PATH"] = fakeBin.FullName + ":" + Environment.GetEnvironmentVariable("PATH") });

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.False(File.Exists(called), File.Exists(called) ? File.ReadAllText(called) : "");
            var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("+ az group create --name rg-lab --location swedencentral --output none", lines);
            Assert.Contains(lines, line => line.StartsWith("+ az deployment group create --resource-group rg-lab --name kdumpcloud --parameters ", StringComparison.Ordinal)
                && line.EndsWith("bicep/main.bicepparam --output none", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.StartsWith("+ dotnet publish ", StringComparison.Ordinal) && line.Contains("functions/KDumpCloud.Functions", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.StartsWith("+ az functionapp deployment source config-zip --resource-group rg-lab", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.StartsWith("+ dotnet publish ", StringComparison.Ordinal) && line.Contains("src/KDumpCloud.Dashboard.Web", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.StartsWith("+ az webapp deploy --resource-group rg-lab", StringComparison.Ordinal) && line.EndsWith("--type zip", StringComparison.Ordinal));
        }
        finally
        {
            fakeBin.Delete(recursive: true);
        }
    }
}
