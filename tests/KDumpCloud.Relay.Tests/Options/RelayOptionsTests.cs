using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Tests.Options;

public class RelayOptionsTests
{
    [Theory]
    [InlineData("Relay:BindAddress", "::1", "IPv4")]
    [InlineData("Relay:BindAddress", "not-an-address", "IPv4")]
    [InlineData("Relay:AllowedNetworks:0", "10.0.0.0/33", "CIDR")]
    [InlineData("Relay:Port", "70000", "Port")]
    [InlineData("Relay:MaxDumpBytes", "0", "MaxDumpBytes")]
    [InlineData("Relay:SpoolQuotaBytes", "10", "SpoolQuotaBytes")]
    public async Task InvalidSettings_FailAtStartWithAMessageNamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RelayUnderTest.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defaults_ServeLoopbackAndPrivateRanges()
    {
        await using var relay = await RelayUnderTest.StartAsync();
        using var mac = new RawKdumpPeer(relay.EndPoint, "127.0.0.1");
        await mac.SendAllAsync("core-defaults", [1]);
        Assert.True(File.Exists(relay.DumpPath("core-defaults")));
    }
}
