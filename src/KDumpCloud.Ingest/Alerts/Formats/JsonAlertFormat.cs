using System.Globalization;
using System.Text.Json.Nodes;

namespace KDumpCloud.Ingest.Alerts.Formats;

/// <summary>
/// The plain JSON webhook, schema version <see cref="SchemaVersion"/> (README "Alerts": the fields and their meaning).
/// Every message has <c>version</c>, <c>id</c> (the delivery id, the same on a repeated delivery, for receivers that
/// deduplicate), <c>event</c> and <c>sentBy</c>; an alert has the crash's fields, a digest its counts and groups.
/// Fields are added within a version, never renamed or removed; a change that breaks readers is a new version.
/// </summary>
public sealed class JsonAlertFormat : IAlertFormat
{
    public const int SchemaVersion = 1;

    /// <summary>Bound on each free-text field (the panic message is bounded by <see cref="AlertOptions.MaxPanicMessageChars"/>).</summary>
    public const int MaxTextChars = 1000;

    public AlertSinkKind Kind => AlertSinkKind.Json;

    public FormattedAlert Format(AlertNotice notice, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var body = Header(DeliveryId(notice), notice.Event);
        body["fingerprint"] = notice.Fingerprint;
        body["signature"] = AlertText.Cut(notice.Signature, MaxTextChars);
        body["kind"] = AlertText.Cut(notice.Kind, MaxTextChars);
        body["culprit"] = AlertText.Cut(notice.Culprit, MaxTextChars);
        body["panicMessage"] = notice.PanicMessage;
        body["model"] = notice.Model;
        body["osBuild"] = notice.OsBuild;
        body["kernelVersion"] = notice.KernelVersion;
        body["machine"] = notice.Machine;
        body["count"] = notice.Count;
        body["machines"] = notice.Machines;
        body["machinesSaturated"] = notice.MachinesSaturated;
        body["firstSeen"] = Time(notice.FirstSeen);
        body["receivedAt"] = Time(notice.ReceivedAt);
        body["dumpId"] = notice.DumpId.ToString("D");
        body["fileName"] = AlertText.Cut(notice.FileName, MaxTextChars);
        body["dumpLocation"] = AlertText.Cut(notice.DumpLocation, MaxTextChars);
        body["regressionReason"] = notice.RegressionReason;
        body["spikeCount"] = notice.SpikeCount;
        body["spikeWindowSeconds"] = notice.SpikeWindow?.TotalSeconds;
        body["link"] = link?.AbsoluteUri;
        return new FormattedAlert(FormatJson.Write(body));
    }

    public FormattedAlert Format(AlertDigest digest, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var body = Header(digest.Id.ToString("D"), AlertEvent.Digest);
        body["fingerprint"] = null;
        body["signature"] = AlertText.DigestTitle(digest);
        body["count"] = digest.Alerts;
        body["groups"] = digest.Groups;
        body["machines"] = null;
        body["dumpId"] = null;
        body["from"] = Time(digest.From);
        body["to"] = Time(digest.To);
        body["items"] = new JsonArray([.. digest.Listed.Select(g => (JsonNode)new JsonObject
        {
            ["event"] = AlertEvents.Name(g.Event),
            ["fingerprint"] = g.Fingerprint,
            ["signature"] = AlertText.Cut(g.Signature, MaxTextChars),
            ["alerts"] = g.Alerts,
            ["count"] = g.Count,
        })]);
        body["link"] = link?.AbsoluteUri;
        return new FormattedAlert(FormatJson.Write(body));
    }

    /// <summary>The delivery id of an alert: its dump id and event, stable across repeated deliveries.</summary>
    public static string DeliveryId(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return $"{notice.DumpId:D}.{AlertEvents.Name(notice.Event)}";
    }

    private static JsonObject Header(string id, AlertEvent alertEvent) => new()
    {
        ["version"] = SchemaVersion,
        ["id"] = id,
        ["event"] = AlertEvents.Name(alertEvent),
        ["sentBy"] = "kdumpcloud",
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
