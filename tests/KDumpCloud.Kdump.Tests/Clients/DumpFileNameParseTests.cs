using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>Reading a kernel-made dump name back (kdump-protocol.md §14); names come from the network.</summary>
public class DumpFileNameParseTests
{
    [Theory]
    [InlineData("core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz", DumpKind.Core, "xnu-11417.121.6", "10.0.40.7", true)]
    [InlineData("paniclog-xnu-2782.1.97-10.0.40.7-8e1d2c", DumpKind.PanicLog, "xnu-2782.1.97", "10.0.40.7", false)]
    [InlineData("systemlog-xnu-1228.15.4-192.168.1.20-0", DumpKind.SystemLog, "xnu-1228.15.4", "192.168.1.20", false)]
    [InlineData("core-custom-17.202.40.204-a75b4eec", DumpKind.Core, null, "17.202.40.204", false)]
    [InlineData("core-xnu-12345.678.90.12-0.0.0.0-ffffffff", DumpKind.Core, "xnu-12345.678.90.12", "0.0.0.0", false)]
    [InlineData("core-xnu-1.-255.255.255.255-1", DumpKind.Core, "xnu-1.", "255.255.255.255", false)]
    public void TryParse_KernelMadeName_ReturnsItsParts(string name, DumpKind kind, string? version, string address, bool gzip)
    {
        Assert.True(DumpFileName.TryParse(name, out var parts));

        Assert.Equal(new DumpFileNameParts(kind, version, IPAddress.Parse(address), gzip), parts);
    }

    [Theory]
    [InlineData("core-xnu-7195.141.2~1-10.0.40.7")] // a hand-made name: ~ in the version, no stamp
    [InlineData("my-panic.core")] // a _panicd_corename, verbatim
    [InlineData("")]
    [InlineData("core")]
    [InlineData("core-")]
    [InlineData("kernel-xnu-1.2-10.0.0.1-ab")] // not a network prefix
    [InlineData("Core-xnu-1.2-10.0.0.1-ab")]
    [InlineData("core-xnu--10.0.0.1-ab")] // xnu- without digits
    [InlineData("core-xnu-1.2.3.4.5.6.7.8.9.0-10.0.0.1-ab")] // version longer than the kernel's 19 characters
    [InlineData("core-XNU-1.2-10.0.0.1-ab")]
    [InlineData("core-xnu-1.2-10.0.0-ab")] // three octets
    [InlineData("core-xnu-1.2-10.0.0.256-ab")]
    [InlineData("core-xnu-1.2-10.0.0.01-ab")] // %d never pads
    [InlineData("core-xnu-1.2-10.0.0.1000-ab")]
    [InlineData("core-xnu-1.2-10.0.0.1-")]
    [InlineData("core-xnu-1.2-10.0.0.1-AB")] // %x is lower-case
    [InlineData("core-xnu-1.2-10.0.0.1-123456789")] // more than 32 bits
    [InlineData("core-xnu-1.2-10.0.0.1-ab.gz.gz")]
    [InlineData("core-xnu-1.2-10.0.0.1-ab.g")]
    [InlineData("paniclog-xnu-1.2-10.0.0.1-ab.gz")] // only cores are gzipped
    [InlineData("core-xnu-1.2-10.0.0.1-ab\0")]
    [InlineData("core-xnu-١٢-10.0.0.1-ab")] // non-ASCII digits
    [InlineData("core-xnu-1.2-１0.0.0.1-ab")]
    [InlineData("core-custom-10.0.0.1-ab ")]
    [InlineData(" core-custom-10.0.0.1-ab")]
    public void TryParse_AnythingElse_ReturnsFalse(string name)
    {
        Assert.False(DumpFileName.TryParse(name, out var parts));
        Assert.Null(parts);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse() => Assert.False(DumpFileName.TryParse(null, out _));

    [Fact]
    public void TryParse_EveryTruncationOfAName_ReturnsFalseExceptAtTheOptionalSuffix()
    {
        const string name = "core-xnu-11417.121.6-10.0.40.7-5f3a9c21.gz";
        for (var length = 0; length < name.Length; length++)
        {
            var truncated = name[..length];
            var parsed = DumpFileName.TryParse(truncated, out _);
            // Cutting inside the stamp leaves a shorter stamp, which is still a name the kernel could make.
            var stillAName = length >= "core-xnu-11417.121.6-10.0.40.7-5".Length && length <= "core-xnu-11417.121.6-10.0.40.7-5f3a9c21".Length;
            Assert.True(parsed == stillAName, $"'{truncated}' parsed: {parsed}");
        }
    }

    [Fact]
    public void TryParse_HugeName_ReturnsFalseWithoutReadingIt()
    {
        var huge = "core-xnu-" + new string('1', 5_000_000) + "-10.0.0.1-ab";

        Assert.False(DumpFileName.TryParse(huge, out _));
    }

    [Property(MaxTest = 300)]
    public Property TryParse_WhatFormatMakes_ReturnsWhatWentIn(byte kindPick, uint address, ulong time, bool gzip, PositiveInt major, NonNegativeInt minor)
    {
        var kind = (DumpKind)(kindPick % 3);
        var clientAddress = new IPAddress(address);
        var version = $"Darwin Kernel Version 24.6.0: root:xnu-{major.Get}.{minor.Get}.6~2/RELEASE_ARM64_T6000";

        var name = DumpFileName.Format(kind, version, clientAddress, time, gzip);

        return (DumpFileName.TryParse(name, out var parts)
            && parts.Kind == kind
            && parts.KernelVersion == DumpFileName.VersionPart(version)
            && parts.ClientAddress.Equals(clientAddress)
            && parts.Gzip == (gzip && kind == DumpKind.Core)
            && parts.Prefix == name[..name.IndexOf('-', StringComparison.Ordinal)]).Label(name);
    }

    [Property(MaxTest = 500)]
    public Property TryParse_AnyString_NeverThrows(string? name) =>
        (DumpFileName.TryParse(name, out var parts) == (parts is not null)).ToProperty();
}
