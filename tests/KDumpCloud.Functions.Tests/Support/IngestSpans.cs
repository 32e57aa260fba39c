using System.Collections.Concurrent;
using System.Diagnostics;
using KDumpCloud.Ingest.Telemetry;

namespace KDumpCloud.Functions.Tests.Support;

/// <summary>An <see cref="ActivityListener"/> recording every finished ingest span; tests look at their own trace.</summary>
internal sealed class IngestSpans : IDisposable
{
    private readonly ConcurrentQueue<Activity> _finished = new();
    private readonly ActivityListener _listener;

    public IngestSpans()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == IngestActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _finished.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>A sampled W3C traceparent of a fresh trace, as the relay would send it.</summary>
    public static string NewTraceParent(out ActivityTraceId traceId, out ActivitySpanId parentId)
    {
        traceId = ActivityTraceId.CreateRandom();
        parentId = ActivitySpanId.CreateRandom();
        return $"00-{traceId.ToHexString()}-{parentId.ToHexString()}-01";
    }

    /// <summary>Waits (generously) for <paramref name="count"/> finished spans named <paramref name="name"/> in the trace.</summary>
    public async Task<IReadOnlyList<Activity>> WaitForAsync(ActivityTraceId traceId, string name, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var found = _finished.Where(a => a.TraceId == traceId && a.OperationName == name).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    public void Dispose() => _listener.Dispose();
}
