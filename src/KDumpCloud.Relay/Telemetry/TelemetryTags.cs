using KDumpCloud.Ingest.Telemetry;

namespace KDumpCloud.Relay.Telemetry;

/// <summary>
/// Attribute names of the relay's spans and metrics: OpenTelemetry's semantic conventions where one exists
/// (<c>client.address</c>, <c>error.type</c>), the ingest's <c>kdumpcloud.dump.*</c> for the dump's identity, and
/// <c>kdump.*</c> for what the transfer and the upload saw. Metric tags take only the bounded ones
/// (outcome, cause, refusal reason, circuit state); file names and addresses go on spans only.
/// </summary>
internal static class TelemetryTags
{
    // The dump's identity has one name along the whole pipeline (relay, ingest, alerts): one query finds its trace.
    public const string DumpId = IngestTags.DumpId;
    public const string FileName = IngestTags.FileName;
    public const string ClientAddress = "client.address";
    public const string ClientPort = "client.port";
    public const string NetworkTransport = "network.transport";
    public const string Outcome = "kdump.outcome";
    public const string Complete = IngestTags.Complete;
    public const string Reason = "kdump.reason";
    public const string ErrorType = "error.type";

    /// <summary>Payload bytes received (a SEEK-rewritten region counts twice).</summary>
    public const string Bytes = "kdump.bytes";
    public const string FileLength = "kdump.file_length";
    public const string Packets = "kdump.packets";

    /// <summary>DATA and EOF the Mac sent again.</summary>
    public const string Retransmissions = "kdump.retransmissions";

    /// <summary>ACKs the relay sent again after silence.</summary>
    public const string AckRetransmissions = "kdump.ack_retransmissions";
    public const string Seeks = "kdump.seeks";

    public const string RefusalReason = "kdump.refusal.reason";
    public const string UploadAttempt = "kdump.upload.attempt";
    public const string Blob = IngestTags.Blob;
    public const string Blocks = "kdump.blocks";
    public const string ResumedBlocks = "kdump.upload.resumed_blocks";

    /// <summary>Seconds from the dump's EOF at the relay to its blob committed.</summary>
    public const string AfterEof = "kdump.upload.after_eof";
    public const string CircuitState = "kdump.circuit.state";
    public const string RemovalReason = "kdump.removal.reason";

    public static string OutcomeName(TransferOutcome outcome) => outcome switch
    {
        TransferOutcome.Complete => "complete",
        TransferOutcome.Incomplete => "incomplete",
        TransferOutcome.Discarded => "discarded",
        _ => "refused",
    };
}

/// <summary>Bounded names for why a request was refused or a transfer ended early (<c>kdump.refusal.reason</c>,
/// <c>error.type</c>): a metric tag takes one of these, never a free-form message.</summary>
internal static class TransferCauses
{
    public const string OutsideNetworks = "outside_networks";
    public const string Throttled = "throttled";
    public const string Malformed = "malformed";
    public const string InvalidName = "invalid_name";
    public const string SpoolFull = "spool_full";
    public const string DiskFull = "disk_full";
    public const string Busy = "busy";
    public const string DumpsPerHour = "dumps_per_hour";
    public const string FileExists = "file_exists";
    public const string CreateFailed = "create_failed";
    public const string StartFailed = "start_failed";

    public const string MacError = "mac_error";
    public const string TooLarge = "too_large";
    public const string TooManyHoles = "too_many_holes";
    public const string WriteFailed = "write_failed";
    public const string RelayError = "relay_error";
    public const string Silence = "silence";
    public const string NotDurable = "not_durable";
    public const string RelayStopped = "relay_stopped";
    public const string Superseded = "superseded";
    public const string Closed = "closed";
}
