using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Regrouping;

namespace KDumpCloud.Cli.Commands;

/// <summary>What <c>crashes</c> prints: aligned text for people, one JSON object per line for scripts.</summary>
internal static class CrashesOutput
{
    // Signatures hold '+', '<' and quotes; the relaxed encoder leaves them readable (the output is not HTML).
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line per group under a header; a note when there are none.</summary>
    public static string ListText(IReadOnlyList<CrashGroup> groups)
    {
        if (groups.Count == 0)
        {
            return "no crash groups yet\n";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"GROUP",-32}  {"COUNT",6}  {"MACS",4}  {"LAST SEEN (UTC)",-16}  {"STATUS",-8}  SIGNATURE\n");
        foreach (var group in groups)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{group.Id,-32}  {group.Count,6}  {Machines(group),4}  {Time(group.LastSeen),-16}  {StatusName(group.Status),-8}  {group.Signature}\n");
        }

        return text.ToString();
    }

    /// <summary>What a regrouping found and did (or would do), with the groups it joins and splits.</summary>
    public static string RegroupText(RegroupSummary summary, bool applied, TimeSpan took)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{summary.Scanned} occurrences: {summary.FromStoredText} decoded again from their stored text, {summary.FromDump} from their dump, {summary.Kept} kept as they were\n");
        text.Append(CultureInfo.InvariantCulture,
            $"groups: {summary.GroupsBefore} before, {summary.GroupsAfter} after; {summary.Moved} occurrences move, {summary.GroupsWritten} group rows change\n");
        foreach (var line in summary.Joined)
        {
            text.Append(CultureInfo.InvariantCulture, $"  joins  {line}\n");
        }

        foreach (var line in summary.Split)
        {
            text.Append(CultureInfo.InvariantCulture, $"  splits {line}\n");
        }

        var nothing = summary.Moved == 0 && summary.GroupsWritten == 0;
        text.Append(nothing ? "nothing to change\n"
            : applied ? string.Create(CultureInfo.InvariantCulture, $"applied in {took.TotalSeconds:F1} s\n")
            : "dry run: nothing written; run again with --apply to regroup\n");
        return text.ToString();
    }

    /// <summary>A group's fields, one per line, then its occurrences newest first.</summary>
    public static string GroupText(CrashGroup group, IReadOnlyList<Occurrence> occurrences)
    {
        var text = new StringBuilder();
        void Line(string label, string? value) => text.Append(CultureInfo.InvariantCulture, $"{label,-12}{value ?? "-"}\n");
        Line("group", group.Id);
        Line("signature", group.Signature);
        Line("kind", group.Kind);
        Line("culprit", group.Culprit);
        Line("status", group.MergedInto is { } into ? $"merged into {into}" : StatusName(group.Status));
        Line("count", string.Create(CultureInfo.InvariantCulture, $"{group.Count} from {Machines(group)} Macs"));
        Line("first seen", Time(group.FirstSeen));
        Line("last seen", Time(group.LastSeen));
        Line("os builds", Join(group.OsBuilds));
        Line("kernels", Join(group.Kernels));
        Line("macs", Join(group.Machines));
        text.Append(CultureInfo.InvariantCulture, $"\noccurrences ({occurrences.Count} shown, newest first):\n");
        foreach (var occurrence in occurrences)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"  {Time(occurrence.ReceivedAt),-16}  {occurrence.Client,-21}  {occurrence.OsBuild ?? "-",-8}  " +
                $"{(occurrence.Complete ? "complete" : "incomplete"),-10}  {occurrence.DumpId}  {occurrence.FileName}\n");
        }

        return text.ToString();
    }

    /// <summary>A group as one line of JSON; with <paramref name="occurrences"/>, an <c>occurrences</c> array too.</summary>
    public static string GroupJson(CrashGroup group, IReadOnlyList<Occurrence>? occurrences)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteString("fingerprint", group.Id);
            json.WriteString("signature", group.Signature);
            json.WriteString("kind", group.Kind);
            WriteOptional(json, "culprit", group.Culprit);
            json.WriteString("status", StatusName(group.Status));
            if (group.MergedInto is { } into)
            {
                json.WriteString("mergedInto", into);
            }

            json.WriteNumber("count", group.Count);
            json.WriteNumber("machines", group.Machines.Count);
            WriteList(json, "osBuilds", group.OsBuilds);
            WriteList(json, "kernels", group.Kernels);
            json.WriteString("firstSeen", group.FirstSeen);
            json.WriteString("lastSeen", group.LastSeen);
            if (occurrences is not null)
            {
                json.WriteStartArray("occurrences");
                foreach (var occurrence in occurrences)
                {
                    json.WriteStartObject();
                    json.WriteString("dumpId", occurrence.DumpId);
                    json.WriteString("client", occurrence.Client);
                    json.WriteString("receivedAt", occurrence.ReceivedAt);
                    WriteOptional(json, "osBuild", occurrence.OsBuild);
                    json.WriteBoolean("complete", occurrence.Complete);
                    json.WriteString("status", occurrence.Status.ToString());
                    WriteOptional(json, "model", occurrence.Model);
                    WriteOptional(json, "kernelVersion", occurrence.KernelVersion);
                    json.WriteString("fileName", occurrence.FileName);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string StatusName(GroupStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Distinct Macs; "N+" once the group's list is full and later ones were not listed.</summary>
    private static string Machines(CrashGroup group) =>
        string.Create(CultureInfo.InvariantCulture, $"{group.Machines.Count}{(group.MachinesSaturated ? "+" : "")}");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Join(IReadOnlyList<string> values) => values.Count == 0 ? "-" : string.Join(", ", values);

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
