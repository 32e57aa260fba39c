using KDumpCloud.Relay.Retention;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Tests.Retention;

public class RetentionOptionsTests
{
    private const string Unreachable =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AzuriteServer.AccountKey +
        ";BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    [Theory]
    [InlineData("Retention:Interval", "00:00:00", "Interval")]
    [InlineData("Retention:UploadedMaxAge", "-1.00:00:00", "UploadedMaxAge")]
    [InlineData("Retention:UploadedMaxBytes", "-1", "UploadedMaxBytes")]
    [InlineData("Retention:HeadroomBytes", "-1", "HeadroomBytes")]
    [InlineData("Retention:HeadroomBytes", "549755813888", "Retention:HeadroomBytes (549755813888) is not smaller than Relay:SpoolQuotaBytes (549755813888)")]
    public async Task InvalidRetentionOptions_FailAtStartNamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RelayUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["KDumpStorage"] = Unreachable,
            [key] = value,
        }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defaults_SevenDays64GiBAndRoomForOneLargestDump()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["KDumpStorage"] = Unreachable });

        var options = relay.Services.GetRequiredService<IOptions<RetentionOptions>>().Value;
        Assert.Equal(TimeSpan.FromDays(7), options.UploadedMaxAge);
        Assert.Equal(64L << 30, options.UploadedMaxBytes);
        Assert.Null(options.HeadroomBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Interval);
        Assert.Equal(64L << 30, relay.Retention().HeadroomBytes); // Relay:MaxDumpBytes, under a quarter of 512 GiB
        Assert.Contains(relay.Services.GetServices<IHostedService>(), service => service is SpoolRetentionService);
    }

    [Fact]
    public async Task WithoutKDumpStorage_NothingIsEverRemoved_NoRetentionAtAll()
    {
        await using var relay = await RelayUnderTest.StartAsync(new Dictionary<string, string?> { ["Retention:UploadedMaxAge"] = "00:00:00" });

        Assert.DoesNotContain(relay.Services.GetServices<IHostedService>(), service => service is SpoolRetentionService);
        Assert.Null(relay.Services.GetService<SpoolRetention>());
    }
}
