using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Relay.Tests.Logging;

public class LogThrottleTests
{
    [Fact]
    public void ShouldLog_PastTheLinesPerWindow_HoldsBackAndReportsTheCountWhenTheNextWindowStarts()
    {
        var time = new FakeTimeProvider();
        var reported = new List<long>();
        var throttle = new LogThrottle(time, reported.Add);

        var logged = Enumerable.Range(0, LogThrottle.PerWindow + 37).Count(_ => throttle.ShouldLog());
        Assert.Equal(LogThrottle.PerWindow, logged);
        Assert.Empty(reported);

        time.Advance(LogThrottle.Window);
        Assert.True(throttle.ShouldLog());
        Assert.Equal([37L], reported);

        time.Advance(LogThrottle.Window);
        Assert.True(throttle.ShouldLog());
        Assert.Equal([37L], reported);
    }
}
