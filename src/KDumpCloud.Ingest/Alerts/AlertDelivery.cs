using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>What became of one alert at one sink.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryState>))]
public enum DeliveryState
{
    /// <summary>Not delivered yet: tried and to be tried again at <see cref="AlertDelivery.RetryAt"/>.</summary>
    Waiting,

    /// <summary>Held back by the sink's per-minute limit; goes out in the next digest.</summary>
    HeldForDigest,

    /// <summary>Sent on its own, and the service took it.</summary>
    Delivered,

    /// <summary>Summed up in a digest the service took (<see cref="AlertDelivery.DigestId"/>).</summary>
    Digested,

    /// <summary>Dropped: the sink had an alert for the same group within <see cref="AlertOptions.GroupInterval"/>.</summary>
    Throttled,

    /// <summary>Not for this sink (<c>Alerts:Webhooks:N:Events</c>).</summary>
    Filtered,

    /// <summary>The service refused it for good (a 4xx other than 408 and 429); reported in the log.</summary>
    Rejected,

    /// <summary>Older than <see cref="AlertOptions.MaxAge"/> before the sink took it; reported in the log.</summary>
    Expired,
}

/// <summary>One alert's delivery record at one sink.</summary>
/// <param name="AlertId">The alert (its dump id).</param>
/// <param name="AlertCreatedAt">When the alert was recorded (records are listed by it).</param>
/// <param name="GroupId">The alert's group, for the per-group interval.</param>
/// <param name="State">Where it stands.</param>
/// <param name="At">When it got there.</param>
/// <param name="Attempts">Sends tried.</param>
/// <param name="RetryAt">For <see cref="DeliveryState.Waiting"/>: not before then.</param>
/// <param name="Detail">The service's last answer or error (never the URL).</param>
/// <param name="DigestId">For <see cref="DeliveryState.Digested"/>: the digest that carried it.</param>
public sealed record AlertDelivery(
    Guid AlertId,
    DateTimeOffset AlertCreatedAt,
    string GroupId,
    DeliveryState State,
    DateTimeOffset At,
    int Attempts = 0,
    DateTimeOffset? RetryAt = null,
    string? Detail = null,
    Guid? DigestId = null)
{
    /// <summary>Nothing more will be done for this alert at this sink.</summary>
    public bool IsFinal => State is not (DeliveryState.Waiting or DeliveryState.HeldForDigest);
}
