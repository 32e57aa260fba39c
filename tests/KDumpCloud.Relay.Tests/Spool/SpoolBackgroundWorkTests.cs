using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KDumpCloud.Relay.Tests.Spool;

public class SpoolBackgroundWorkTests
{
    [Fact]
    public async Task Enqueue_ItemThatThrowsAnything_IsLoggedAndTheNextItemStillRuns()
    {
        var logger = new FakeLogger();
        using var work = new SpoolBackgroundWork(() => { }, logger);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        work.Enqueue("failing on purpose", _ => throw new InvalidOperationException("not an I/O error"));
        work.Enqueue("after the failure", _ => ran.SetResult());

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await work.StopAsync(CancellationToken.None);
        var failure = Assert.Single(logger.Collector.GetSnapshot(), record => record.Level == LogLevel.Error);
        Assert.Contains("failing on purpose", failure.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(failure.Exception);
    }

    [Fact]
    public async Task StopAsync_OutOfTime_CancelsTheRunningItemAndReturns()
    {
        var logger = new FakeLogger();
        using var work = new SpoolBackgroundWork(() => { }, logger);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Enqueue("a long hash", cancellation =>
        {
            started.SetResult();
            cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            cancellation.ThrowIfCancellationRequested();
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var outOfTime = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await work.StopAsync(outOfTime.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains(logger.Collector.GetSnapshot(), record => record.Message.Contains("abandoned", StringComparison.Ordinal));
        Assert.Equal(0, work.Pending);
    }
}
