using KDumpCloud.Infra.Tests.Tools;

namespace KDumpCloud.Infra.Tests;

/// <summary>
/// <c>bicep build</c> and <c>bicep lint</c> on every template and parameters file, with bicep/bicepconfig.json
/// raising the linter's rules to errors. Compiler warnings cannot be raised there and lint exits 0 on warnings, so
/// any diagnostic output fails, not only the exit code. One CLI run covers many files (<c>--pattern</c>): each run
/// costs seconds of start-up.
/// </summary>
public sealed class BicepBuildTests
{
    public static TheoryData<string> ParameterFiles() =>
        new(BicepCli.SourceFiles().Where(file => file.EndsWith(".bicepparam", StringComparison.Ordinal)));

    [Fact]
    public void Bicep_folder_has_the_templates_and_parameter_files()
    {
        var files = BicepCli.SourceFiles().ToList();
        Assert.Contains("main.bicep", files);
        Assert.Contains("main.bicepparam", files);
        Assert.Contains(files, file => file.StartsWith("env/", StringComparison.Ordinal) && file.EndsWith(".bicepparam", StringComparison.Ordinal));
        Assert.True(files.Count(file => file.StartsWith("modules/", StringComparison.Ordinal)) >= 6, string.Join(", ", files));
    }

    [Fact]
    public async Task Build_of_every_template_prints_nothing_and_writes_each_one()
    {
        var output = Directory.CreateTempSubdirectory("kdumpcloud-bicep-build-");
        try
        {
            var run = await BicepCli.RunAsync(null, "build", "--pattern", "**/*.bicep", "--outdir", output.FullName);

            Assert.True(run.ExitCode == 0 && run.StandardError.Length == 0 && run.StandardOutput.Length == 0, $"bicep build: {run}");
            var templates = BicepCli.SourceFiles().Where(file => file.EndsWith(".bicep", StringComparison.Ordinal)).ToList();
            var written = templates.Where(file => File.Exists(Path.Combine(output.FullName, Path.ChangeExtension(file, ".json")))).ToList();
            Assert.Equal(templates, written);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Lint_of_every_template_and_parameters_file_prints_nothing()
    {
        var run = await BicepCli.RunAsync(null, "lint", "--pattern", "**/*.bicep*");

        Assert.True(run.ExitCode == 0 && run.StandardError.Length == 0 && run.StandardOutput.Length == 0, $"bicep lint: {run}");
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public async Task Build_params_prints_nothing_but_the_parameters(string file)
    {
        var run = await BicepCli.RunAsync(null, "build-params", file, "--stdout");

        Assert.True(run.ExitCode == 0 && run.StandardError.Length == 0, $"bicep build-params {file}: {run}");
        Assert.Contains("\"parametersJson\"", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_turns_a_linter_finding_into_an_error_that_the_check_sees()
    {
        // The repository's bicepconfig.json above a folder with a template that has an unused parameter and a
        // hard-coded cloud URL: the same lint run as above must see it there.
        var directory = Directory.CreateTempSubdirectory("kdumpcloud-bicep-");
        try
        {
            File.Copy(Path.Combine(Repository.Bicep, "bicepconfig.json"), Path.Combine(directory.FullName, "bicepconfig.json"));
            Directory.CreateDirectory(Path.Combine(directory.FullName, "modules"));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "modules", "bad.bicep"),
                "param unused string\noutput url string = 'https://management.azure.com/'\n");

            var run = await ToolRun.RunAsync(BicepCli.Path, ["lint", "--pattern", "**/*.bicep*"], directory.FullName);

            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("Error no-unused-params", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("Error no-hardcoded-env-urls", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
