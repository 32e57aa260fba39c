using Azure;
using KDumpCloud.Relay.Upload;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Polly.Timeout;

namespace KDumpCloud.Relay.Tests.Upload;

/// <summary>The real Polly pipeline of the uploader, on a fake clock, around calls that fail the way the storage SDK
/// fails (its exceptions, thrown by the test's own calls; no SDK client is involved).</summary>
public class StorageResilienceTests
{
    private const int OpenedEventId = 420;
    private const int ClosedEventId = 421;

    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<StorageResilience> _logger = new();
    private readonly StorageResilience _resilience;
    private int _calls;
    private volatile bool _down = true;

    public StorageResilienceTests()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new UploadOptions
        {
            BreakerFailureRatio = 0.5,
            BreakerMinimumThroughput = 2,
            BreakerSamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = BreakDuration,
            OperationTimeout = TimeSpan.FromMinutes(1),
        });
        _resilience = new StorageResilience(options, new UploadBacklog(options, _time, NullLogger<UploadBacklog>.Instance), _time, _logger);
    }

    [Fact]
    public async Task ExecuteAsync_AccountDownThenBack_OneOpenedLineCallsWaitAProbeClosesItOneClosedLine()
    {
        await Assert.ThrowsAsync<RequestFailedException>(() => Call("stage a block"));
        Assert.False(_resilience.IsBroken);
        await Assert.ThrowsAsync<RequestFailedException>(() => Call("stage a block"));
        Assert.True(_resilience.IsBroken);
        var opened = Assert.Single(_logger.Collector.GetSnapshot(), record => record.Id.Id == OpenedEventId);
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Contains("stage a block: Connection refused (127.0.0.1:9)", opened.Message, StringComparison.Ordinal);

        // Open: calls wait without reaching the account.
        var first = Call("commit");
        var second = Call("send the ingest message");
        await Task.Delay(50);
        Assert.False(first.IsCompleted || second.IsCompleted);
        Assert.Equal(2, _calls);

        // The break is over: one of them is the probe, and it fails; the other waits on.
        _time.Advance(BreakDuration);
        var failedProbe = await Task.WhenAny(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<RequestFailedException>(() => failedProbe);
        var waiting = failedProbe == first ? second : first;
        Assert.Equal(3, _calls);
        Assert.True(_resilience.IsBroken);

        // Back: the next probe succeeds and closes the circuit, and the waiting call goes through.
        _down = false;
        var late = Call("stage a block");
        _time.Advance(BreakDuration);
        await Task.WhenAll(waiting, late).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(_resilience.IsBroken);
        Assert.Equal(5, _calls);

        var records = _logger.Collector.GetSnapshot();
        Assert.Single(records, record => record.Id.Id == OpenedEventId);
        var closed = Assert.Single(records, record => record.Id.Id == ClosedEventId);
        Assert.Equal(LogLevel.Information, closed.Level);
        Assert.Contains("after 20.0 s", closed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_RefusalsOfTheRequest_NeverOpenTheCircuit()
    {
        for (var i = 0; i < 10; i++)
        {
            var refused = await Assert.ThrowsAsync<RequestFailedException>(() => _resilience.ExecuteAsync<int>("stage a block",
                _ => throw new RequestFailedException(400, "The MD5 value specified in the request did not match", "Md5Mismatch", null),
                CancellationToken.None).AsTask());
            Assert.Equal("Md5Mismatch", refused.ErrorCode);
        }

        Assert.False(_resilience.IsBroken);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task ExecuteAsync_CallThatNeverAnswers_TimesOutAsAnOutage()
    {
        var hanging = _resilience.ExecuteAsync("commit", async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return 0;
        }, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(hanging.IsCompleted);

        _time.Advance(TimeSpan.FromMinutes(1));

        var timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => hanging.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(StorageFailures.IsOutage(timeout));
        Assert.Equal("no answer within 60 s", StorageFailures.Describe(timeout));
    }

    [Fact]
    public async Task ExecuteAsync_CallerStopsWhileOpen_ReturnsCancelledWithoutCalling()
    {
        await Assert.ThrowsAsync<RequestFailedException>(() => Call("stage a block"));
        await Assert.ThrowsAsync<RequestFailedException>(() => Call("stage a block"));
        using var stopping = new CancellationTokenSource();

        var waiting = _resilience.ExecuteAsync<int>("commit", _ => throw new InvalidOperationException("must not run"), stopping.Token).AsTask();
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(412, false)]
    public void IsOutage_ByStatus_OnlyNoAnswerOrServiceTrouble(int status, bool outage) =>
        Assert.Equal(outage, StorageFailures.IsOutage(new RequestFailedException(status, "x")));

    [Fact]
    public void IsOutage_SdkRetryFailedAfterConnectionFailures_IsAnOutageNamedByItsLastAttempt()
    {
        var retryFailed = new AggregateException("Retry failed after 4 tries.",
            new RequestFailedException(0, "first", new HttpRequestException("Connection refused (127.0.0.1:1)")),
            new RequestFailedException(0, "last", new HttpRequestException("Connection reset by peer\nmore")));

        Assert.True(StorageFailures.IsOutage(retryFailed));
        Assert.Equal("Connection reset by peer", StorageFailures.Describe(retryFailed));
        Assert.False(StorageFailures.IsOutage(new AggregateException(new RequestFailedException(0, "x"), new RequestFailedException(403, "y"))));
        Assert.False(StorageFailures.IsOutage(new IOException("reading the dump failed"))); // local: the dump's own failure
        Assert.Equal("409 BlobAlreadyExists", StorageFailures.Describe(new RequestFailedException(409, "exists", "BlobAlreadyExists", null)));
    }

    private Task<int> Call(string operation) => _resilience.ExecuteAsync(operation, async token =>
    {
        Interlocked.Increment(ref _calls);
        await Task.Yield();
        return _down ? throw new RequestFailedException(0, "Connection refused (127.0.0.1:9)", new HttpRequestException("Connection refused (127.0.0.1:9)")) : 1;
    }, CancellationToken.None).AsTask();
}
