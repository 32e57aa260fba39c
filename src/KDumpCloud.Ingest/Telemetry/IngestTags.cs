namespace KDumpCloud.Ingest.Telemetry;

/// <summary>
/// Attribute names on the ingest's and the alerts' spans and metrics, and the bounded values some take. The dump's
/// own attributes are on the <see cref="IngestActivities.Ingest"/> span so a trace is found by dump id, file name or the
/// Mac's address; metrics carry only bounded tags (outcome, stage, sink kind), never an id or a URL.
/// </summary>
public static class IngestTags
{
    public const string DumpId = "kdumpcloud.dump.id";
    public const string FileName = "kdumpcloud.dump.file_name";
    public const string Blob = "kdumpcloud.dump.blob";
    public const string Size = "kdumpcloud.dump.size";
    public const string Complete = "kdumpcloud.dump.complete";

    /// <summary>The Mac's address and port as the relay saw them (<c>10.0.40.7:1069</c>).</summary>
    public const string Client = "kdumpcloud.dump.client";

    /// <summary>The Mac's address alone (OpenTelemetry's <c>client.address</c>).</summary>
    public const string ClientAddress = "client.address";

    public const string RelayHost = "kdumpcloud.relay.host";

    /// <summary>What recording meant: <see cref="Outcomes"/>.</summary>
    public const string Outcome = "kdumpcloud.ingest.outcome";

    public const string Fingerprint = "kdumpcloud.crash.fingerprint";
    public const string FingerprintVersion = "kdumpcloud.crash.fingerprint_version";
    public const string GroupId = "kdumpcloud.crash.group_id";
    public const string Signature = "kdumpcloud.crash.signature";

    /// <summary>The occurrence's status: <c>decoded</c>, <c>nopanic</c>, <c>failed</c>.</summary>
    public const string OccurrenceStatus = "kdumpcloud.crash.status";

    public const string Warnings = "kdumpcloud.ingest.warnings";
    public const string BytesRead = "kdumpcloud.dump.bytes_read";
    public const string Container = "kdumpcloud.panic.container";

    /// <summary>On <see cref="IngestMetrics"/>' stage histogram: <see cref="Stages"/>.</summary>
    public const string Stage = "kdumpcloud.ingest.stage";

    /// <summary>OpenTelemetry's <c>error.type</c>: the exception's type, or a short reason.</summary>
    public const string ErrorType = "error.type";

    public const string AlertEvent = "kdumpcloud.alert.event";

    /// <summary>The sink's kind: <c>slack</c>, <c>teams</c>, <c>discord</c>, <c>json</c> (bounded; never the URL).</summary>
    public const string SinkKind = "kdumpcloud.alert.sink_kind";

    /// <summary>The sink's stable id (a hash of its kind and URL, which it does not reveal); spans only.</summary>
    public const string SinkId = "kdumpcloud.alert.sink_id";

    /// <summary>The delivery record's state after the send (<c>delivered</c>, <c>waiting</c>, <c>rejected</c>, …).</summary>
    public const string DeliveryState = "kdumpcloud.alert.state";

    /// <summary>On <see cref="IngestMetrics"/>' failed-alert counter: <c>retry_later</c>, <c>rejected</c> or <c>expired</c>.</summary>
    public const string Failure = "kdumpcloud.alert.failure";

    /// <summary>Sends tried for the alert at the sink, across passes (on the delivery span), or this attempt's number
    /// within one send (on an <see cref="IngestActivities.AttemptEvent"/>).</summary>
    public const string Attempt = "kdumpcloud.alert.attempt";

    public const string AlertsInDigest = "kdumpcloud.alert.digest_count";
    public const string HttpStatus = "http.response.status_code";

    /// <summary>The service's <c>Retry-After</c>, in seconds, when it sent one.</summary>
    public const string RetryAfter = "kdumpcloud.alert.retry_after_s";

    public const string MessagingSystem = "messaging.system";
    public const string MessagingDestination = "messaging.destination.name";
    public const string MessageId = "messaging.message.id";

    /// <summary>Values of <see cref="Outcome"/>.</summary>
    public static class Outcomes
    {
        public const string New = "new";
        public const string Regression = "regression";
        public const string Repeat = "repeat";

        /// <summary>The dump had been recorded before: nothing was counted.</summary>
        public const string Redelivered = "redelivered";

        /// <summary>Recorded as failed (the poison path).</summary>
        public const string Failed = "failed";

        /// <summary>The attempt threw (the host retries it, then gives up to the poison path).</summary>
        public const string Error = "error";
    }

    /// <summary>Values of <see cref="Stage"/>, and the stage spans' names after <c>ingest.</c>.</summary>
    public static class Stages
    {
        public const string Read = "read";
        public const string Extract = "extract";
        public const string Decode = "decode";
        public const string Verify = "verify";
        public const string Fingerprint = "fingerprint";
        public const string Record = "record";
        public const string Publish = "publish";
    }
}
