using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Upload;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>The backlog line: at most once per interval while dumps wait, once when it drains; on a fake clock.</summary>
public sealed class UploadBacklogTests : IDisposable
{
    private const int BacklogEventId = 424;
    private const int DrainedEventId = 425;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<UploadBacklog> _logger = new();
    private readonly UploadBacklog _backlog;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reporting;

    public UploadBacklogTests()
    {
        _backlog = new UploadBacklog(Microsoft.Extensions.Options.Options.Create(new UploadOptions { BacklogLogInterval = Interval }), _time, _logger);
        _reporting = _backlog.ReportAsync(_stop.Token);
    }

    [Fact]
    public async Task ReportAsync_DumpsWaiting_OneLinePerIntervalWithDumpsAndUnstagedBytes()
    {
        var first = Progress(3_000_000);
        _backlog.Add(first);
        _backlog.Add(Progress(1_000_000));
        _backlog.Staged(first.DumpId, 1_000_000);

        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Empty(Lines(BacklogEventId));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => Lines(BacklogEventId).Count == 1);
        Assert.Equal("Upload backlog: 2 dumps, 3000000 bytes not yet uploaded", Lines(BacklogEventId)[0].Message);

        _backlog.Staged(first.DumpId, 3_000_000);
        _time.Advance(Interval / 2);
        _time.Advance(Interval / 2);
        await Eventually.TrueAsync(() => Lines(BacklogEventId).Count == 2);
        Assert.Equal("Upload backlog: 2 dumps, 1000000 bytes not yet uploaded", Lines(BacklogEventId)[1].Message);
        Assert.Empty(Lines(DrainedEventId));
    }

    [Fact]
    public async Task Remove_LastDumpOfALoggedBacklog_OneDrainedLine()
    {
        var first = Progress(10);
        var second = Progress(20);
        _backlog.Add(first);
        _backlog.Add(second);
        _time.Advance(Interval);
        await Eventually.TrueAsync(() => Lines(BacklogEventId).Count == 1);

        _backlog.Remove(first.DumpId);
        Assert.Empty(Lines(DrainedEventId));
        _backlog.Remove(second.DumpId);
        _backlog.Remove(second.DumpId);

        Assert.Single(Lines(DrainedEventId));
        Assert.Equal((0, 0L), _backlog.Current);
    }

    [Fact]
    public async Task Remove_BacklogNeverLogged_NoLinesAtAll()
    {
        var dump = Progress(10);
        _backlog.Add(dump);
        _backlog.Remove(dump.DumpId);

        _time.Advance(Interval * 3);
        await _stop.CancelAsync();
        await _reporting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private List<FakeLogRecord> Lines(int eventId) => [.. _logger.Collector.GetSnapshot().Where(record => record.Id.Id == eventId)];

    private static DumpProgress Progress(long written) => new(Guid.CreateVersion7(), "core-backlog", DumpState.Receiving, written, null);
}
