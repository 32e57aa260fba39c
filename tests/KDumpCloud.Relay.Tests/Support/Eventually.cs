namespace KDumpCloud.Relay.Tests.Support;

/// <summary>Polls for something the relay does on another thread, with a deadline.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, int timeoutMs = 10_000, string? what = null)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, what ?? "the condition did not hold in time");
            await Task.Delay(20);
        }
    }
}
