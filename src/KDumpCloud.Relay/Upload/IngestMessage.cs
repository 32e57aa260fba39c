using System.Text.Json;
using System.Text.Json.Serialization;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// The one message per committed dump on the ingest queue: a small pointer, never the dump. The ingest side treats
/// <see cref="DumpId"/> as its idempotency key. Sent base64-encoded, as the Functions Storage-queue trigger reads by
/// default.
/// </summary>
public sealed record IngestMessage
{
    public required Guid DumpId { get; init; }

    public required Uri BlobUri { get; init; }

    public required long Size { get; init; }

    public string? Sha256 { get; init; }

    public required bool Complete { get; init; }

    /// <summary>Why an incomplete dump ended early.</summary>
    public string? Reason { get; init; }

    /// <summary>The Mac's address and port.</summary>
    public required string Client { get; init; }

    /// <summary>The name the Mac sent.</summary>
    public required string FileName { get; init; }

    public required string RelayHost { get; init; }

    /// <summary>The name's prefix (<c>core</c>, <c>paniclog</c>, <c>systemlog</c>), when the name is one the kernel
    /// made (kdump-protocol.md §14); absent for a name sent verbatim.</summary>
    public string? Kind { get; init; }

    /// <summary>The kernel version the name carries, e.g. <c>xnu-11417.121.6</c>; absent when the kernel wrote
    /// <c>custom</c> or the name is not one it made.</summary>
    public string? KernelVersion { get; init; }

    public static IngestMessage From(DumpJournal journal, Uri blobUri, string relayHost)
    {
        var parts = DumpFileName.TryParse(journal.FileName, out var parsed) ? parsed : null;
        return new IngestMessage
        {
            DumpId = journal.DumpId,
            BlobUri = blobUri,
            Size = journal.FileLength,
            Sha256 = journal.Sha256,
            Complete = journal.State == DumpState.Complete,
            Reason = journal.Reason,
            Client = journal.Client,
            FileName = journal.FileName,
            RelayHost = relayHost,
            Kind = parts?.Prefix,
            KernelVersion = parts?.KernelVersion,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, IngestMessageJsonContext.Default.IngestMessage);

    public static IngestMessage? FromJson(string json) => JsonSerializer.Deserialize(json, IngestMessageJsonContext.Default.IngestMessage);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestMessage))]
internal sealed partial class IngestMessageJsonContext : JsonSerializerContext;
