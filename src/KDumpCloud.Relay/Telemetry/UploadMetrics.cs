using System.Diagnostics.Metrics;
using KDumpCloud.Relay.Upload;
using Polly.CircuitBreaker;

namespace KDumpCloud.Relay.Telemetry;

/// <summary>
/// The uploader's metrics, on the relay's meter (<see cref="RelayMetrics.MeterName"/>): the backlog (dumps, bytes not
/// yet staged, age of the oldest), failed attempts by <c>error.type</c>, dumps announced, and the storage circuit's
/// state. Only registered when <c>KDumpStorage</c> is set.
/// </summary>
internal sealed class UploadMetrics
{
    private static readonly (CircuitState State, string Name)[] CircuitStates =
    [
        (CircuitState.Closed, "closed"),
        (CircuitState.Open, "open"),
        (CircuitState.HalfOpen, "half_open"),
        (CircuitState.Isolated, "isolated"),
    ];

    private readonly Counter<long> _failures;
    private readonly Counter<long> _sent;

    public UploadMetrics(IMeterFactory meters, UploadBacklog backlog, StorageResilience resilience)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(RelayMetrics.MeterName);
        _failures = meter.CreateCounter<long>("kdumpcloud.relay.upload.failures", "{attempt}",
            "Upload attempts that failed, by error.type (storage_unreachable, failed, dump_unavailable).");
        _sent = meter.CreateCounter<long>("kdumpcloud.relay.upload.sent", "{dump}", "Dumps uploaded and announced on the ingest queue.");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.upload.backlog.dumps", () => backlog.Current.Dumps, "{dump}",
            "Dumps not yet uploaded and announced.");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.upload.backlog.bytes", () => backlog.Current.Bytes, "By",
            "Bytes of those dumps on disk and not yet staged.");
        meter.CreateObservableGauge("kdumpcloud.relay.upload.backlog.age", () => backlog.OldestAge.TotalSeconds, "s",
            "Age of the oldest dump in the backlog, from its WRQ (0 when empty).");
        meter.CreateObservableUpDownCounter("kdumpcloud.relay.storage.circuit.state", () => CircuitMeasurements(resilience.CircuitState), "{circuit}",
            "1 for the storage circuit breaker's current kdump.circuit.state (closed, open, half_open, isolated), 0 for the others.");
    }

    /// <summary>An attempt failed; <paramref name="kind"/> is storage_unreachable, failed or dump_unavailable.</summary>
    public void Failed(string kind) => _failures.Add(1, new KeyValuePair<string, object?>(TelemetryTags.ErrorType, kind));

    public void Sent() => _sent.Add(1);

    private static IEnumerable<Measurement<int>> CircuitMeasurements(CircuitState current)
    {
        foreach (var (state, name) in CircuitStates)
        {
            yield return new Measurement<int>(state == current ? 1 : 0, new KeyValuePair<string, object?>(TelemetryTags.CircuitState, name));
        }
    }
}
