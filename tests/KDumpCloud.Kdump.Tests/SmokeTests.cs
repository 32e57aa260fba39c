namespace KDumpCloud.Kdump.Tests;

public class SmokeTests
{
    [Fact]
    public void Build_Smoke_Passes() => Assert.True(true);
}
