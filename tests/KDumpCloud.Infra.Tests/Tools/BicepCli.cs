using System.Text.Json;
using KDumpCloud.Infra.Tests.Arm;

namespace KDumpCloud.Infra.Tests.Tools;

/// <summary>The Bicep CLI from the NuGet package <c>Azure.Bicep.CommandLine.linux-x64</c> (restored with this
/// project, so a fresh clone has it after <c>dotnet test</c>'s restore).</summary>
internal static class BicepCli
{
    public static string Path => Repository.BicepCli ?? throw new InvalidOperationException(
        "The Bicep CLI was not restored: expected the package Azure.Bicep.CommandLine.linux-x64's tools/bicep " +
        "(dotnet restore tests/KDumpCloud.Infra.Tests).");

    public static Task<ToolRun> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        ToolRun.RunAsync(Path, arguments, Repository.Bicep, environment);

    /// <summary>
    /// <c>bicep build-params</c> of a parameters file with <paramref name="environment"/> set (the files read
    /// KDUMPCLOUD_* variables): the compiled template and the parameter values it deploys with, evaluated.
    /// </summary>
    public static async Task<ArmDeployment> CompileAsync(string parametersFile, IReadOnlyDictionary<string, string?> environment)
    {
        var run = await RunAsync(environment, "build-params", parametersFile, "--stdout");
        if (run.ExitCode != 0 || run.StandardError.Length > 0)
        {
            throw new InvalidOperationException($"bicep build-params {parametersFile} failed: {run}");
        }

        using var output = JsonDocument.Parse(run.StandardOutput);
        return ArmDeployment.Load(output.RootElement.GetProperty("templateJson").GetString()!,
            output.RootElement.GetProperty("parametersJson").GetString());
    }

    /// <summary>Every template and parameters file under bicep/, relative to it.</summary>
    public static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Repository.Bicep, "*.*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".bicep", StringComparison.Ordinal) || file.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Select(file => System.IO.Path.GetRelativePath(Repository.Bicep, file))
            .Order(StringComparer.Ordinal);
}
