using System.Text.Json.Serialization;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// What one alert says, as the crash stood when it was recorded: written into the outbox in the same recording, so a
/// message sent an hour later (a sink that was down) says what was true then, and every sink says the same.
/// </summary>
public sealed record AlertNotice
{
    /// <summary>The occurrence that caused the alert; also the outbox key (one alert per dump at most).</summary>
    public required Guid DumpId { get; init; }

    public required AlertEvent Event { get; init; }

    /// <summary>The group's id: the fingerprint that created it (the dashboard's <c>/groups/{fingerprint}</c>).</summary>
    public required string Fingerprint { get; init; }

    public required string Signature { get; init; }

    public required string Kind { get; init; }

    public string? Culprit { get; init; }

    /// <summary>The panic message, cut to <see cref="AlertOptions.MaxPanicMessageChars"/>.</summary>
    public string? PanicMessage { get; init; }

    public string? Model { get; init; }

    public string? OsBuild { get; init; }

    public string? KernelVersion { get; init; }

    /// <summary>The Mac (its address) that sent this occurrence.</summary>
    public required string Machine { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The group's count with this occurrence.</summary>
    public required long Count { get; init; }

    /// <summary>Distinct Macs the group was seen on (a lower bound when <see cref="MachinesSaturated"/>).</summary>
    public required int Machines { get; init; }

    public bool MachinesSaturated { get; init; }

    /// <summary>For a regression, why.</summary>
    public string? RegressionReason { get; init; }

    /// <summary>For a spike, the occurrences counted in the window.</summary>
    public int? SpikeCount { get; init; }

    public TimeSpan? SpikeWindow { get; init; }

    public required string FileName { get; init; }

    /// <summary>Where the dump is (blob or file URI); sent only by the JSON webhook.</summary>
    public string? DumpLocation { get; init; }

    /// <summary>When the decision was recorded.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the dump's ingest that decided this alert (the outboxes keep it beside
    /// the notice, not in it): each sink's delivery span is its child, so the alert is in the dump's trace. Null when
    /// tracing was off or the alert predates it.</summary>
    [JsonIgnore]
    public string? TraceParent { get; init; }

    /// <summary>The notice for <paramref name="result"/> (a freshly recorded occurrence and its group).</summary>
    public static AlertNotice From(RecordResult result, AlertEvent alertEvent, DateTimeOffset now, int maxPanicMessageChars,
        int? spikeCount = null, TimeSpan? spikeWindow = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var occurrence = result.Occurrence;
        var group = result.Group;
        return new AlertNotice
        {
            DumpId = occurrence.DumpId,
            Event = alertEvent,
            Fingerprint = group.Id,
            Signature = group.Signature,
            Kind = group.Kind,
            Culprit = group.Culprit,
            PanicMessage = AlertText.Cut(occurrence.PanicMessage, maxPanicMessageChars),
            Model = occurrence.Model,
            OsBuild = occurrence.OsBuild,
            KernelVersion = occurrence.KernelVersion,
            Machine = occurrence.Machine,
            FirstSeen = group.FirstSeen,
            ReceivedAt = occurrence.ReceivedAt,
            Count = group.Count,
            Machines = group.Machines.Count,
            MachinesSaturated = group.MachinesSaturated,
            RegressionReason = alertEvent == AlertEvent.Regression ? occurrence.RegressionReason : null,
            SpikeCount = spikeCount,
            SpikeWindow = spikeWindow,
            FileName = occurrence.FileName,
            DumpLocation = occurrence.DumpLocation,
            CreatedAt = now,
        };
    }
}
