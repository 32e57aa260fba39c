namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// One sink's recent sending, rebuilt from its delivery records at each pass (so it holds across restarts and hosts):
/// the messages of the last minute (alerts sent on their own, and digests, each counted once) and when each group
/// last had an alert. Pure.
/// </summary>
internal sealed class SinkLedger
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly AlertOptions _options;
    private readonly List<DateTimeOffset> _sent = [];
    private readonly Dictionary<string, DateTimeOffset> _lastByGroup = new(StringComparer.Ordinal);

    public SinkLedger(IEnumerable<AlertDelivery> deliveries, AlertOptions options)
    {
        _options = options;
        var digests = new HashSet<Guid>();
        foreach (var delivery in deliveries)
        {
            if (delivery.State == DeliveryState.Delivered)
            {
                Sent(delivery.GroupId, delivery.At);
            }
            else if (delivery.State == DeliveryState.Digested && delivery.DigestId is { } digest && digests.Add(digest))
            {
                _sent.Add(delivery.At);
            }
        }
    }

    /// <summary>Whether an alert of <paramref name="groupId"/> now would be a second within the group interval.</summary>
    public bool Throttled(string groupId, DateTimeOffset now) =>
        _options.GroupInterval > TimeSpan.Zero && _lastByGroup.TryGetValue(groupId, out var last) && now - last < _options.GroupInterval;

    /// <summary>Whether one more alert may go out on its own: the last slot of the minute is kept for the digest.</summary>
    public bool RoomForAlert(DateTimeOffset now) => InLastMinute(now) < _options.MaxPerMinute - 1;

    /// <summary>Whether a digest may go out now.</summary>
    public bool RoomForDigest(DateTimeOffset now) => InLastMinute(now) < _options.MaxPerMinute;

    public void Sent(string groupId, DateTimeOffset at)
    {
        _sent.Add(at);
        if (!_lastByGroup.TryGetValue(groupId, out var last) || at > last)
        {
            _lastByGroup[groupId] = at;
        }
    }

    public void DigestSent(DateTimeOffset at) => _sent.Add(at);

    private int InLastMinute(DateTimeOffset now) => _sent.Count(at => now - at < Minute);
}
