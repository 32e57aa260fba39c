namespace KDumpCloud.Ingest.Alerts.Delivery;

/// <summary>How one message fared at one sink.</summary>
public enum DeliveryOutcome
{
    /// <summary>The service took it (2xx).</summary>
    Delivered,

    /// <summary>Try again later (429, 408, 5xx, a timeout, a refused connection, the circuit open).</summary>
    RetryLater,

    /// <summary>The service refused it for good (another 4xx, or a redirect): reported, not retried.</summary>
    Rejected,
}

/// <summary>The result of one send: the outcome, the last HTTP status (if any), when to try again, and a short,
/// URL-free description for logs and <c>alerts test</c>.</summary>
public sealed record DeliveryResult(DeliveryOutcome Outcome, int? Status, string Detail, DateTimeOffset? RetryAt = null);
