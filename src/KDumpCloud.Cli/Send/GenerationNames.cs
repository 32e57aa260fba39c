using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Cli.Send;

/// <summary>The macOS release names <c>send --generation</c> accepts, mapped to kdump-protocol.md §15.1's columns.</summary>
internal static class GenerationNames
{
    private static readonly (string Name, KernelGeneration Generation)[] Names =
    [
        ("10.3", KernelGeneration.Xnu517To1228),
        ("10.4", KernelGeneration.Xnu517To1228),
        ("10.5", KernelGeneration.Xnu517To1228),
        ("10.6-i386", KernelGeneration.Xnu517To1228),
        ("10.6", KernelGeneration.Xnu1456To1504),
        ("10.7", KernelGeneration.Xnu1699),
        ("10.8", KernelGeneration.Xnu2050To2782),
        ("10.9", KernelGeneration.Xnu2050To2782),
        ("10.10", KernelGeneration.Xnu2050To2782),
        ("10.11", KernelGeneration.Xnu3247To6153),
        ("10.12", KernelGeneration.Xnu3247To6153),
        ("10.13", KernelGeneration.Xnu3247To6153),
        ("10.14", KernelGeneration.Xnu3247To6153),
        ("10.15", KernelGeneration.Xnu3247To6153),
        ("11", KernelGeneration.Xnu7195Plus),
        ("12", KernelGeneration.Xnu7195Plus),
        ("13", KernelGeneration.Xnu7195Plus),
        ("14", KernelGeneration.Xnu7195Plus),
        ("15", KernelGeneration.Xnu7195Plus),
        ("26", KernelGeneration.Xnu7195Plus),
        ("modern", KernelGeneration.Xnu7195Plus),
    ];

    public static IEnumerable<string> All => Names.Select(n => n.Name);

    public static bool TryParse(string? name, out KernelGeneration generation)
    {
        foreach (var (candidate, value) in Names)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                generation = value;
                return true;
            }
        }

        return Enum.TryParse(name, ignoreCase: true, out generation) && Enum.IsDefined(generation);
    }
}
