using System.Text.Json;

namespace KDumpCloud.Ingest.Model;

/// <summary>
/// The one message per dump on the ingest queue, as the relay sends it after the commit: a small pointer, never the
/// dump. <see cref="DumpId"/> is the idempotency key of everything downstream. Camel-case JSON; on the Storage queue
/// it is base64-encoded, as the Functions Storage-queue trigger reads by default.
/// </summary>
public sealed record IngestMessage
{
    public required Guid DumpId { get; init; }

    /// <summary>Where the dump is: the committed blob, or (embedded, <c>kdumpcloud ingest FILE</c>) a file URI.</summary>
    public required Uri BlobUri { get; init; }

    public required long Size { get; init; }

    /// <summary>SHA-256 of the dump, lower-case hex, as the relay computed it from its spool file.</summary>
    public string? Sha256 { get; init; }

    public required bool Complete { get; init; }

    /// <summary>Why an incomplete dump ended early.</summary>
    public string? Reason { get; init; }

    /// <summary>The Mac's address and port, e.g. <c>10.0.40.7:1069</c>.</summary>
    public required string Client { get; init; }

    /// <summary>The name the Mac sent.</summary>
    public required string FileName { get; init; }

    public required string RelayHost { get; init; }

    /// <summary>When the Mac's EOF (or the transfer's end) reached the relay; null from senders that predate it.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>The kernel version the file name carries (kdump-protocol.md §14), e.g. <c>xnu-11417.121.6</c>.</summary>
    public string? KernelVersion { get; init; }

    /// <summary>The file name's prefix: <c>core</c>, <c>paniclog</c> or <c>systemlog</c>, when it follows §14.</summary>
    public string? Kind { get; init; }

    /// <summary>The dump's trace (W3C <c>traceparent</c> of the span that sent this message): the ingest continues the
    /// trace the relay started at the Mac's WRQ. Null from senders that predate it, or with tracing off.</summary>
    public string? TraceParent { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, IngestJsonContext.Default.IngestMessage);

    /// <summary>Parses a message body; null for JSON <c>null</c>.</summary>
    /// <exception cref="JsonException">Not JSON, or a required field is missing.</exception>
    public static IngestMessage? FromJson(string json) => JsonSerializer.Deserialize(json, IngestJsonContext.Default.IngestMessage);

    /// <summary>A message naming a recorded occurrence's dump again, for opening it with an
    /// <see cref="Ports.IDumpReader"/> (a download, a regrouping); null when its location is not an absolute URI.</summary>
    public static IngestMessage? ForRecorded(Occurrence occurrence)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        return Uri.TryCreate(occurrence.DumpLocation, UriKind.Absolute, out var location)
            ? new IngestMessage
            {
                DumpId = occurrence.DumpId,
                BlobUri = location,
                Size = occurrence.DumpSize,
                Complete = occurrence.Complete,
                Client = occurrence.Client,
                FileName = occurrence.FileName,
                RelayHost = occurrence.RelayHost ?? string.Empty,
                ReceivedAt = occurrence.ReceivedAt,
            }
            : null;
    }
}
