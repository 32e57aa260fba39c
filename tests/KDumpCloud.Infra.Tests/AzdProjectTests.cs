using System.Text.RegularExpressions;
using KDumpCloud.Infra.Tests.Arm;
using KDumpCloud.Infra.Tests.Tools;

namespace KDumpCloud.Infra.Tests;

/// <summary>infra/azure.yaml: every service azd deploys is a project of this repository and lands on the app the
/// template tags with its name, of the host kind it says.</summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed partial class AzdProjectTests(CompiledTemplates templates)
{
    private sealed record Service(string Name, string Project, string Host);

    [Fact]
    public void Each_service_is_a_project_here_deployed_to_the_app_tagged_with_its_name()
    {
        var services = Services();
        Assert.Equal(["dashboard", "ingest"], services.Select(service => service.Name).Order(StringComparer.Ordinal));

        foreach (var service in services)
        {
            var project = Path.GetFullPath(Path.Combine(Repository.Infra, service.Project));
            Assert.True(Directory.EnumerateFiles(project, "*.csproj").Any(), $"{service.Name}: no project at {project}");
            var site = Assert.Single(templates.Full.OfType(TemplateQueries.Site),
                site => (string?)site.At("tags", "azd-service-name") == service.Name);
            var kind = (string)site.At("kind")!;
            Assert.True(service.Host == "function" ? kind.Contains("functionapp", StringComparison.Ordinal) : service.Host == "appservice" && kind.StartsWith("app", StringComparison.Ordinal),
                $"{service.Name}: host {service.Host} on a site of kind {kind}");
        }
    }

    /// <summary>The services block of azure.yaml: two-space names, four-space keys (the file's only nesting).</summary>
    private static List<Service> Services()
    {
        var services = new List<Service>();
        string? name = null;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var inServices = false;
        foreach (var line in File.ReadLines(Path.Combine(Repository.Infra, "azure.yaml")).Append("end:"))
        {
            if (line.StartsWith('#') || line.Trim().Length == 0)
            {
                continue;
            }

            if (!line.StartsWith(' ') || ServiceName().Match(line) is { Success: true })
            {
                if (name is not null)
                {
                    services.Add(new Service(name, keys["project"], keys["host"]));
                    keys.Clear();
                }

                name = inServices && line.StartsWith(' ') ? ServiceName().Match(line).Groups[1].Value : null;
                inServices = line == "services:" || (inServices && line.StartsWith(' '));
                continue;
            }

            if (name is not null && ServiceKey().Match(line) is { Success: true } key)
            {
                keys[key.Groups[1].Value] = key.Groups[2].Value.Trim();
            }
        }

        return services;
    }

    [GeneratedRegex(@"^  ([a-z][a-z0-9-]*):\s*$")]
    private static partial Regex ServiceName();

    [GeneratedRegex(@"^    ([a-z]+):\s*(.+)$")]
    private static partial Regex ServiceKey();
}
