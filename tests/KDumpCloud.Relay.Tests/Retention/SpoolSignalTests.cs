using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Tests.Retention;

public class SpoolSignalTests
{
    [Fact]
    public async Task RaiseBeforeTheWait_IsKeptForItAndConsumedOnce()
    {
        var signal = new SpoolSignal();
        signal.Raise();
        signal.Raise();

        await signal.WaitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(signal.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task RaiseDuringTheWait_WakesIt()
    {
        var signal = new SpoolSignal();
        var waiting = signal.WaitAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        signal.Raise();

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CancelledWait_LeavesTheNextRaiseForTheNextWait()
    {
        var signal = new SpoolSignal();
        using (var cancel = new CancellationTokenSource())
        {
            var waiting = signal.WaitAsync(cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        signal.Raise();

        Assert.True(signal.WaitAsync(CancellationToken.None).IsCompleted);
    }
}
