using System.Collections;
using System.Diagnostics;
using KDumpCloud.Ingest.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KDumpCloud.Ingest.Tests.Support;

/// <summary>
/// The OpenTelemetry SDK, as a host registers it, exporting KDumpCloud's spans to memory. Tests run in parallel and
/// every recorder sees every span, so a test looks only at its own trace (<see cref="NewTraceParent"/>) or dump id.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly LockedList _spans = new();
    private readonly TracerProvider _provider;

    public SpanRecorder() =>
        _provider = Sdk.CreateTracerProviderBuilder().AddSource(IngestActivities.SourceName).AddInMemoryExporter(_spans).Build()!;

    /// <summary>A sampled W3C traceparent of a fresh trace, as the relay's span would send it.</summary>
    public static string NewTraceParent(out ActivityTraceId traceId, out ActivitySpanId parentId)
    {
        traceId = ActivityTraceId.CreateRandom();
        parentId = ActivitySpanId.CreateRandom();
        return $"00-{traceId.ToHexString()}-{parentId.ToHexString()}-01";
    }

    /// <summary>The finished spans of one trace.</summary>
    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => _spans.Snapshot(a => a.TraceId == traceId);

    /// <summary>Finished spans named <paramref name="name"/> with tag <paramref name="tag"/> = <paramref name="value"/>.</summary>
    public IReadOnlyList<Activity> Named(string name, string tag, string value) =>
        _spans.Snapshot(a => a.OperationName == name && Equals(a.GetTagItem(tag) as string, value));

    public void Dispose() => _provider.Dispose();

    /// <summary>The exporter's target: the SDK adds from whatever thread ends a span while a test reads.</summary>
    private sealed class LockedList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public IReadOnlyList<Activity> Snapshot(Func<Activity, bool> filter)
        {
            lock (_items)
            {
                return [.. _items.Where(filter)];
            }
        }

        public void Add(Activity item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(Activity item)
        {
            lock (_items)
            {
                return _items.Contains(item);
            }
        }

        public void CopyTo(Activity[] array, int arrayIndex)
        {
            lock (_items)
            {
                _items.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(Activity item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => Snapshot(_ => true).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
