namespace KDumpCloud.Ingest.Alerts;

/// <summary>What one pass did at one sink: how many alerts reached each state.</summary>
public sealed class SinkPassResult(Delivery.AlertSink sink)
{
    private readonly int[] _counts = new int[Enum.GetValues<DeliveryState>().Length];

    public Delivery.AlertSink Sink { get; } = sink;

    public int this[DeliveryState state] => _counts[(int)state];

    internal void Count(DeliveryState state) => _counts[(int)state]++;
}
