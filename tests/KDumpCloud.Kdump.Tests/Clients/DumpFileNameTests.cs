using System.Net;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>Dump names (kdump-protocol.md §14).</summary>
public class DumpFileNameTests
{
    [Fact]
    public void Format_GzipCore_MatchesTheSpecExample()
    {
        var name = DumpFileName.Format(DumpKind.Core, "Darwin Kernel Version 24.6.0: root:xnu-11417.121.6~2/RELEASE_ARM64_T6000",
            IPAddress.Parse("10.0.40.7"), 0x1_5f3a9c21, gzip: true);

        Assert.Equal("core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz", name);
    }

    [Theory]
    [InlineData(DumpKind.PanicLog, true, "paniclog-xnu-2782.1.97-10.0.40.7-8e1d2c")]
    [InlineData(DumpKind.SystemLog, false, "systemlog-xnu-2782.1.97-10.0.40.7-8e1d2c")]
    [InlineData(DumpKind.Core, false, "core-xnu-2782.1.97-10.0.40.7-8e1d2c")]
    public void Format_OnlyCoresGetTheGzSuffix(DumpKind kind, bool gzip, string expected)
    {
        Assert.Equal(expected, DumpFileName.Format(kind, "xnu-2782.1.97", IPAddress.Parse("10.0.40.7"), 0x8e1d2c, gzip));
    }

    [Theory]
    [InlineData("no version here", "custom")]
    [InlineData("xnu-12345.678.90.12.34.56", "xnu-12345.678.90.12")]
    public void VersionPart_TakesXnuDigitsAndDots_AtMost19Characters(string version, string expected)
    {
        Assert.Equal(expected, DumpFileName.VersionPart(version));
    }
}
