using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Ingest.Tests.Support;

/// <summary>
/// A <see cref="MeterListener"/> on the instruments of its own <see cref="IMeterFactory"/> (as a host's container
/// makes one), so parallel tests never see each other's measurements; <see cref="Metrics"/> is built on it.
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MetricRecorder()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new IngestMetrics(factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == IngestMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IngestMetrics Metrics { get; }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements <paramref name="instrument"/> took with <paramref name="tags"/> (a histogram's count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count();

    /// <summary>Every tag set <paramref name="instrument"/> was measured with.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Tags(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Tags)];

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private IEnumerable<Measurement> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument
            && tags.All(t => m.Tags.TryGetValue(t.Key, out var value) && Equals(value as string, t.Value)));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new Measurement(instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));

    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
