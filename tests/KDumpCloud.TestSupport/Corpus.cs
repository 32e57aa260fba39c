namespace KDumpCloud.TestSupport;

/// <summary>
/// The shared corpus of real panic logs lives beside the repository (<c>../shared/corpus</c> from the folder
/// holding KDumpCloud.sln). Tests that need it are skipped, visibly, when it is absent.
/// </summary>
public static class Corpus
{
    private static readonly Lazy<string?> RootDirectory = new(FindRoot);

    public static string? Root => RootDirectory.Value;

    public static string ExpectedLocation
    {
        get
        {
            var repository = FindRepositoryRoot();
            return repository is null
                ? "../shared/corpus (repository root with KDumpCloud.sln not found above " + AppContext.BaseDirectory + ")"
                : Path.GetFullPath(Path.Combine(repository, "..", "shared", "corpus"));
        }
    }

    public static string PanicsDirectory => Path.Combine(Root ?? throw new InvalidOperationException("corpus not found"), "panics");

    public static IEnumerable<string> PanicFiles() =>
        Directory.EnumerateFiles(PanicsDirectory).Order(StringComparer.Ordinal);

    public static string PathOf(string fileName) => Path.Combine(PanicsDirectory, fileName);

    /// <summary>Rows of GROUPS.tsv: file, group id, label, confidence.</summary>
    public static IReadOnlyList<GroupRow> Groups() =>
        File.ReadAllLines(Path.Combine(Root ?? throw new InvalidOperationException("corpus not found"), "GROUPS.tsv"))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Where(cells => cells.Length >= 4)
            .Select(cells => new GroupRow(cells[0], cells[1], cells[2], cells[3]))
            .ToList();

    /// <summary>A folder of <c>../shared</c> beside the repository, or null when the repository root is not found.</summary>
    public static string? SharedFolder(string name) =>
        FindRepositoryRoot() is { } repository ? Path.GetFullPath(Path.Combine(repository, "..", "shared", name)) : null;

    /// <summary>Where <see cref="SharedFolder"/> looks, for skip messages.</summary>
    public static string ExpectedSharedLocation(string name) =>
        SharedFolder(name) ?? $"../shared/{name} (repository root with KDumpCloud.sln not found above {AppContext.BaseDirectory})";

    private static string? FindRoot()
    {
        var corpus = SharedFolder("corpus");
        return corpus is not null && Directory.Exists(Path.Combine(corpus, "panics")) && File.Exists(Path.Combine(corpus, "GROUPS.tsv")) ? corpus : null;
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KDumpCloud.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}

public sealed record GroupRow(string File, string GroupId, string Label, string Confidence)
{
    public bool IsSingleton => GroupId.StartsWith('S');
}
