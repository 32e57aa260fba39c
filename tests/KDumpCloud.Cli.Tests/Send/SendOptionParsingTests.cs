using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Cli.Tests.Send;

public class SendOptionParsingTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("64k", 64L << 10)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("16M", 16L << 20)]
    [InlineData("16MiB", 16L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData(" 10B ", 10L)]
    public void ByteSize_TryParse_AcceptsPlainAndBinarySuffixes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k")]
    [InlineData("-5")]
    [InlineData("1.5M")]
    [InlineData("12T")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999999999G")]
    public void ByteSize_TryParse_RejectsNonsense(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData("10.3", KernelGeneration.Xnu517To1228)]
    [InlineData("10.6-i386", KernelGeneration.Xnu517To1228)]
    [InlineData("10.6", KernelGeneration.Xnu1456To1504)]
    [InlineData("10.7", KernelGeneration.Xnu1699)]
    [InlineData("10.10", KernelGeneration.Xnu2050To2782)]
    [InlineData("10.11", KernelGeneration.Xnu3247To6153)]
    [InlineData("11", KernelGeneration.Xnu7195Plus)]
    [InlineData("26", KernelGeneration.Xnu7195Plus)]
    [InlineData("modern", KernelGeneration.Xnu7195Plus)]
    public void GenerationNames_TryParse_MapsReleasesToTheirXnuGeneration(string name, KernelGeneration expected)
    {
        Assert.True(GenerationNames.TryParse(name, out var generation));
        Assert.Equal(expected, generation);
    }

    [Theory]
    [InlineData("9.0")]
    [InlineData("10.16")]
    [InlineData("")]
    [InlineData(null)]
    public void GenerationNames_TryParse_RejectsUnknownReleases(string? name) =>
        Assert.False(GenerationNames.TryParse(name, out _));

    [Fact]
    public void GenerationNames_All_CoversEveryGeneration() =>
        Assert.Equal(
            Enum.GetValues<KernelGeneration>().ToHashSet(),
            GenerationNames.All.Select(name => GenerationNames.TryParse(name, out var g) ? g : throw new InvalidOperationException(name)).ToHashSet());
}
