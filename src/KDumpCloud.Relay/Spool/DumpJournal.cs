using System.Text.Json.Serialization;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// What the relay knows about one dump, kept beside it in <c>journal/&lt;name&gt;.json</c> so that later stages
/// (upload, ingest) and a restarted relay know exactly what is in the spool.
/// </summary>
public sealed record DumpJournal
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>Unique and time-ordered (a version 7 GUID).</summary>
    public required Guid DumpId { get; init; }

    public required string FileName { get; init; }

    /// <summary>The Mac's address and port, e.g. <c>10.0.40.7:1069</c>.</summary>
    public required string Client { get; init; }

    public required DumpState State { get; init; }

    /// <summary>Why an incomplete dump ended early.</summary>
    public string? Reason { get; init; }

    /// <summary>The features ACK 0 accepted (1 = 64-bit SEEK, 2 = 1406-byte DATA).</summary>
    public int Features { get; init; }

    public int MaxPayload { get; init; }

    /// <summary>Payload bytes received (a SEEK-rewritten region counts twice).</summary>
    public long BytesReceived { get; init; }

    /// <summary>The file's length on disk.</summary>
    public long FileLength { get; init; }

    /// <summary>SHA-256 of the file, lower-case hex; null while receiving or until computed.</summary>
    public string? Sha256 { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public long DataPackets { get; init; }
    public long Seeks { get; init; }
    public long Duplicates { get; init; }
    public long AckRetransmissions { get; init; }
    public long EofRetransmissions { get; init; }
    public long Ignored { get; init; }

    /// <summary>The dump's trace (W3C <c>traceparent</c> of the receive span started at the WRQ): the upload and the
    /// embedded ingest continue it, after a restart too. Null with tracing off and in journals that predate it.</summary>
    public string? TraceParent { get; init; }

    /// <summary>What the uploader recorded about this dump; null until it has started on it. Written through the
    /// dump's single journal writer (<see cref="DumpSpool.UpdateJournal"/>), so it never races the transfer or the
    /// hasher.</summary>
    public DumpUpload? Upload { get; init; }

    /// <summary>What the embedded ingest recorded about this dump; null until it has finished with it. Written
    /// through <see cref="DumpSpool.UpdateJournal"/> like <see cref="Upload"/>.</summary>
    public DumpIngest? Ingest { get; init; }
}

/// <summary>A later stage's record of a dump's upload.</summary>
public sealed record DumpUpload
{
    /// <summary>For example <c>staging</c>, <c>committed</c> or <c>failed</c>.</summary>
    public required string State { get; init; }

    /// <summary>Where the dump goes or went.</summary>
    public string? Blob { get; init; }

    public long BytesStaged { get; init; }

    public string? Error { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The embedded ingest's record of a dump: once it is here, the dump is not ingested again.</summary>
public sealed record DumpIngest
{
    /// <summary><c>recorded</c> or <c>failed</c> (see <c>KDumpCloud.Relay.Ingest.IngestStates</c>).</summary>
    public required string State { get; init; }

    /// <summary>The crash group the dump was counted in.</summary>
    public string? GroupId { get; init; }

    /// <summary>What it meant for the group: <c>NewGroup</c>, <c>Regression</c> or <c>Repeat</c>.</summary>
    public string? Outcome { get; init; }

    /// <summary>Why it failed, when it did.</summary>
    public string? Error { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<DumpState>))]
public enum DumpState
{
    /// <summary>A transfer is writing it now (or the relay stopped before recovery ran).</summary>
    Receiving,

    /// <summary>EOF arrived and the file is on disk.</summary>
    Complete,

    /// <summary>The transfer ended without EOF; the file holds what arrived.</summary>
    Incomplete,
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DumpJournal))]
internal sealed partial class DumpJournalJsonContext : JsonSerializerContext;
