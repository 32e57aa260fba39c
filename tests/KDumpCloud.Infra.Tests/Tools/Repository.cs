using System.Reflection;

namespace KDumpCloud.Infra.Tests.Tools;

/// <summary>Paths in the repository this test assembly was built from, and what the build recorded about tools.</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot")
        ?? throw new InvalidOperationException("RepositoryRoot was not recorded at build time.");

    public static string Bicep => Path.Combine(Root, "bicep");

    public static string Infra => Path.Combine(Root, "infra");

    /// <summary>The Bicep CLI restored with the NuGet package (its props set BicepPath), or null when absent.</summary>
    public static string? BicepCli => Metadata("BicepPath") is { Length: > 0 } path && File.Exists(path) ? path : null;

    private static string? Metadata(string key) => typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(attribute => attribute.Key == key)?.Value;
}
