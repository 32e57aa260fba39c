namespace KDumpCloud.TestSupport;

/// <summary>
/// Real panics collected after the corpus, never used to build the fingerprint (<c>../shared/collected</c> beside
/// the repository): <c>panics/</c>, <c>GROUPS.tsv</c> (same columns as the corpus's) and <c>SPLIT.tsv</c>, which
/// assigns each file to <c>dev</c> (may be read while deciding rules) or <c>heldout</c> (scored only). Tests that
/// need it are skipped, visibly, when it is absent.
/// </summary>
public static class Collected
{
    public const string Dev = "dev";
    public const string HeldOut = "heldout";

    private static readonly Lazy<string?> RootDirectory = new(() => Corpus.SharedFolder("collected") is { } folder
        && Directory.Exists(Path.Combine(folder, "panics")) && File.Exists(Path.Combine(folder, "GROUPS.tsv"))
        && File.Exists(Path.Combine(folder, "SPLIT.tsv")) ? folder : null);

    public static string? Root => RootDirectory.Value;

    public static string PathOf(string fileName) =>
        Path.Combine(Root ?? throw new InvalidOperationException("collected set not found"), "panics", fileName);

    /// <summary>Rows of GROUPS.tsv whose file SPLIT.tsv assigns to <paramref name="split"/> and which exist on disk.</summary>
    public static IReadOnlyList<GroupRow> Groups(string split)
    {
        var root = Root ?? throw new InvalidOperationException("collected set not found");
        var splits = Table(Path.Combine(root, "SPLIT.tsv"), 2)
            .GroupBy(cells => cells[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        return Table(Path.Combine(root, "GROUPS.tsv"), 2)
            .Where(cells => splits.TryGetValue(cells[0], out var s) && string.Equals(s, split, StringComparison.OrdinalIgnoreCase))
            .Where(cells => File.Exists(PathOf(cells[0])))
            .Select(cells => new GroupRow(cells[0], cells[1], cells.Length > 2 ? cells[2] : string.Empty, cells.Length > 3 ? cells[3] : "high"))
            .ToList();
    }

    private static IEnumerable<string[]> Table(string path, int minimumCells) =>
        File.ReadAllLines(path)
            .Skip(1)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Where(cells => cells.Length >= minimumCells && cells[0].Length > 0);
}

/// <summary>A fact that needs the collected set; skipped with the path it looked at when the set is absent.</summary>
public sealed class CollectedFactAttribute : FactAttribute
{
    public CollectedFactAttribute()
    {
        if (Collected.Root is null)
        {
            Skip = "collected set (panics/, GROUPS.tsv, SPLIT.tsv) not found at " + Corpus.ExpectedSharedLocation("collected");
        }
    }
}
