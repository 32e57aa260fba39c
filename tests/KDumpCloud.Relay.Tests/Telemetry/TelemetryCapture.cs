using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>
/// The spans KDumpCloud's sources emit in this process, through the real OpenTelemetry SDK and its in-memory exporter
/// (registered with <see cref="Register"/> as <see cref="Support.RelayUnderTest.StartAsync"/>'s <c>services</c> hook).
/// Tests run in parallel and every tracer provider hears every relay, so a test picks its own spans by file name or
/// dump id.
/// </summary>
internal sealed class SpanCapture : ICollection<Activity>
{
    private readonly Lock _gate = new();
    private readonly List<Activity> _spans = [];

    public void Register(IServiceCollection services) =>
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource("KDumpCloud.*").AddInMemoryExporter(this));

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_gate)
        {
            return [.. _spans];
        }
    }

    /// <summary>The ended spans named <paramref name="name"/> whose <c>tag</c> is <paramref name="value"/>.</summary>
    public IReadOnlyList<Activity> Named(string name, string tag, string value) =>
        [.. Snapshot().Where(span => span.DisplayName == name && Equals(span.GetTagItem(tag) as string, value))];

    /// <summary>Waits until exactly one such span has ended, and returns it.</summary>
    public async Task<Activity> SingleAsync(string name, string tag, string value, int timeoutMs = 15_000)
    {
        await Support.Eventually.TrueAsync(() => Named(name, tag, value).Count > 0, timeoutMs, $"no {name} span with {tag}={value}");
        return Assert.Single(Named(name, tag, value));
    }

    public void Add(Activity item)
    {
        lock (_gate)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        foreach (var span in Snapshot())
        {
            array[arrayIndex++] = span;
        }
    }

    public bool Remove(Activity item)
    {
        lock (_gate)
        {
            return _spans.Remove(item);
        }
    }

    public int Count => Snapshot().Count;

    public bool IsReadOnly => false;

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Every measurement one relay's meters record, through a <see cref="MeterListener"/> limited to the instruments of
/// that relay's <see cref="IMeterFactory"/> (so relays of tests running beside it do not count).
/// </summary>
internal sealed class MeasurementCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MeasurementCapture(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The instruments this relay published, by name.</summary>
    public HashSet<string> Instruments { get; } = [];

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (Instruments)
        {
            Instruments.Add(instrument.Name);
        }

        _measurements.Enqueue((instrument.Name, value, tags.ToArray()));
    }

    /// <summary>Asks the observable instruments for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>Measurements of <paramref name="instrument"/> having every tag in <paramref name="tags"/>.</summary>
    public IReadOnlyList<double> Values(string instrument, params (string Key, object Value)[] tags) =>
        [.. _measurements.Where(m => m.Instrument == instrument
                && tags.All(tag => m.Tags.Any(t => t.Key == tag.Key && Equals(t.Value, tag.Value))))
            .Select(m => m.Value)];

    /// <summary>The sum of a counter's (or up-down counter's) measurements with these tags.</summary>
    public double Sum(string instrument, params (string Key, object Value)[] tags) => Values(instrument, tags).Sum();

    /// <summary>The last value an observable instrument reported with these tags, after <see cref="Observe"/>.</summary>
    public double? Last(string instrument, params (string Key, object Value)[] tags) =>
        Values(instrument, tags) is { Count: > 0 } values ? values[^1] : null;

    public void Dispose() => _listener.Dispose();
}

/// <summary>Every log line with the activity current where it was written, as an OpenTelemetry log exporter sees it.</summary>
internal sealed class TraceLogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(int EventId, string Message, ActivityTraceId TraceId, ActivitySpanId SpanId)> _lines = new();

    public IReadOnlyList<(int EventId, string Message, ActivityTraceId TraceId, ActivitySpanId SpanId)> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(TraceLogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((eventId.Id, formatter(state, exception), Activity.Current?.TraceId ?? default, Activity.Current?.SpanId ?? default));
    }
}
