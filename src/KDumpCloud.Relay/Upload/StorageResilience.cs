using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// The Polly pipeline around every storage operation of the uploader: a whole-operation timeout
/// (<see cref="UploadOptions.OperationTimeout"/>, over the SDK's own retries, which stay the only retries) inside one
/// circuit breaker that all dumps share, so that a dead account is not hammered. While the circuit is open an
/// operation waits for it instead of failing; after each <see cref="UploadOptions.BreakDuration"/> the breaker lets
/// one operation through as its half-open probe, and closes when that succeeds. The operator gets one Warning when the
/// circuit opens and one Information line when it closes, whatever the number of dumps and probes in between.
/// </summary>
internal sealed class StorageResilience
{
    private static readonly TimeSpan ShortestWait = TimeSpan.FromMilliseconds(1);

    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly UploadBacklog _backlog;
    private readonly TimeProvider _time;
    private readonly ILogger<StorageResilience> _logger;
    private readonly TimeSpan _breakDuration;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private long? _openedAt;

    public StorageResilience(IOptions<UploadOptions> options, UploadBacklog backlog, TimeProvider time, ILogger<StorageResilience> logger)
    {
        var settings = options.Value;
        _backlog = backlog;
        _time = time;
        _logger = logger;
        _breakDuration = settings.BreakDuration;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Exception is { } error
                    && !(error is OperationCanceledException && arguments.Context.CancellationToken.IsCancellationRequested)
                    && StorageFailures.IsOutage(error)),
                StateProvider = _state,
                OnOpened = OnOpened,
                OnClosed = OnClosed,
            })
            .AddTimeout(settings.OperationTimeout)
            .Build();
    }

    /// <summary>Whether the circuit is open or probing: storage operations wait.</summary>
    public bool IsBroken => _state.CircuitState != CircuitState.Closed;

    /// <summary>The breaker's state now, for the circuit metric.</summary>
    public CircuitState CircuitState => _state.CircuitState;

    /// <summary>Runs one storage operation (one SDK call) under the timeout and the breaker; while the circuit is open
    /// it waits for it first. <paramref name="operation"/> names it in the log line that opens the circuit.</summary>
    public async ValueTask<T> ExecuteAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
            try
            {
                return await _pipeline.ExecuteAsync(static (context, call) => call(context.CancellationToken), context, call);
            }
            catch (BrokenCircuitException broken) when (broken is not IsolatedCircuitException)
            {
                // Refused before it ran, so running it later is no retry: wait until the circuit changes or the probe
                // is due (whoever comes first then is the probe), and go again.
                await WaitAsync(changed, broken.RetryAfter, cancellationToken);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    /// <inheritdoc cref="ExecuteAsync{T}"/>
    public async ValueTask ExecuteAsync(string operation, Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken) =>
        await ExecuteAsync(operation, async token =>
        {
            await call(token);
            return true;
        }, cancellationToken);

    private async Task WaitAsync(Task changed, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var wait = retryAfter is { } after ? TimeSpan.FromTicks(Math.Clamp(after.Ticks, ShortestWait.Ticks, _breakDuration.Ticks)) : _breakDuration;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(changed, Task.Delay(wait, _time, stop.Token));
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private ValueTask OnOpened(OnCircuitOpenedArguments<object> arguments)
    {
        bool outageStarts;
        lock (_gate)
        {
            outageStarts = _openedAt is null;
            _openedAt ??= _time.GetTimestamp();
            Signal();
        }

        var reason = arguments.Outcome.Exception is { } error ? StorageFailures.Describe(error) : "a failed result";
        if (outageStarts)
        {
            var (dumps, bytes) = _backlog.Current;
            Log.StorageCircuitOpened(_logger, arguments.Context.OperationKey ?? "storage call", reason, arguments.BreakDuration.TotalSeconds, dumps, bytes);
        }
        else
        {
            Log.StorageProbeFailed(_logger, reason, arguments.BreakDuration.TotalSeconds);
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask OnClosed(OnCircuitClosedArguments<object> arguments)
    {
        long? openedAt;
        lock (_gate)
        {
            openedAt = _openedAt;
            _openedAt = null;
            Signal();
        }

        if (openedAt is { } since)
        {
            var (dumps, bytes) = _backlog.Current;
            Log.StorageCircuitClosed(_logger, _time.GetElapsedTime(since).TotalSeconds, dumps, bytes);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Wakes every waiting operation; the caller holds <see cref="_gate"/>.</summary>
    private void Signal()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
