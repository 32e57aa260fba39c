using Azure.Messaging.ServiceBus;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// A crash report as a Service Bus message: the report's JSON as the body, the dump id as MessageId (so the topic's
/// duplicate detection absorbs a redelivered dump's second report), and application properties for subscription
/// filters. Kept well under Standard tier's 256 KB: a report too large loses, in order, most of its panic message and
/// warnings, then most of its group's lists, then its panic message; the <c>truncated</c> property says so.
/// </summary>
internal static class ReportMessages
{
    /// <summary>Most bytes of the body; properties and AMQP framing take a few KB more, within the 256 KB limit.</summary>
    public const int MaxBodyBytes = 200 * 1024;

    /// <summary>Longest signature (and subject) in the properties, which filters compare.</summary>
    public const int MaxPropertyChars = 256;

    public const string ContentType = "application/json";

    public static ServiceBusMessage Create(CrashReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (body, truncated) = Body(report);
        var occurrence = report.Occurrence;
        var outcome = OutcomeName(report.Outcome);
        var message = new ServiceBusMessage(body)
        {
            MessageId = report.DumpId.ToString("D"),
            ContentType = ContentType,
            Subject = Cap($"{outcome}: {report.Group.Signature}"),
        };
        var properties = message.ApplicationProperties;
        properties["fingerprint"] = occurrence.Fingerprint;
        properties["signature"] = Cap(report.Group.Signature);
        properties["outcome"] = outcome;
        properties["isNew"] = report.Outcome == IngestOutcome.NewGroup;
        properties["isRegression"] = report.Outcome == IngestOutcome.Regression;
        properties["groupId"] = report.Group.Id;
        properties["redelivered"] = report.Redelivered;
        if (occurrence.KernelVersion is { } kernel)
        {
            properties["kernel"] = Cap(kernel);
        }

        if (occurrence.OsBuild is { } build)
        {
            properties["osBuild"] = Cap(build);
        }

        if (truncated)
        {
            properties["truncated"] = true;
        }

        return message;
    }

    /// <summary>The names subscription filters use: <c>newGroup</c>, <c>regression</c>, <c>repeat</c>.</summary>
    public static string OutcomeName(IngestOutcome outcome) => outcome switch
    {
        IngestOutcome.NewGroup => "newGroup",
        IngestOutcome.Regression => "regression",
        _ => "repeat",
    };

    private static (BinaryData Body, bool Truncated) Body(CrashReport report)
    {
        var json = report.ToUtf8Json();
        if (json.Length <= MaxBodyBytes)
        {
            return (new BinaryData(json), false);
        }

        const string note = "report shortened to fit a Service Bus message";
        var occurrence = report.Occurrence;
        var group = report.Group;
        CrashReport[] smaller =
        [
            report with
            {
                Occurrence = occurrence with
                {
                    PanicMessage = Cap(occurrence.PanicMessage, 4096),
                    Warnings = [.. occurrence.Warnings.Take(10).Select(w => Cap(w, 500)!), note],
                },
            },
            report with
            {
                Occurrence = occurrence with { PanicMessage = Cap(occurrence.PanicMessage, 1024), Warnings = [note] },
                Group = group with
                {
                    Machines = [.. group.Machines.Take(10).Select(m => Cap(m, 100)!)],
                    OsBuilds = [.. group.OsBuilds.Take(10).Select(b => Cap(b, 100)!)],
                    Kernels = [.. group.Kernels.Take(10).Select(k => Cap(k, 100)!)],
                    MachinesSaturated = true,
                },
            },
        ];
        foreach (var candidate in smaller)
        {
            json = candidate.ToUtf8Json();
            if (json.Length <= MaxBodyBytes)
            {
                return (new BinaryData(json), true);
            }
        }

        // Only absurd single fields are left (a signature or a name of hundreds of KB): cut them all.
        var minimal = smaller[^1] with
        {
            RegressionReason = Cap(report.RegressionReason, 500),
            Occurrence = smaller[^1].Occurrence with
            {
                PanicMessage = null,
                Signature = Cap(occurrence.Signature, 1000)!,
                Kind = Cap(occurrence.Kind, 1000)!,
                Culprit = Cap(occurrence.Culprit, 1000),
                Client = Cap(occurrence.Client, 1000)!,
                Machine = Cap(occurrence.Machine, 100)!,
                Model = Cap(occurrence.Model, 1000),
                OsBuild = Cap(occurrence.OsBuild, 100),
                KernelVersion = Cap(occurrence.KernelVersion, 100),
                DumpLocation = Cap(occurrence.DumpLocation, 2000)!,
                FileName = Cap(occurrence.FileName, 1000)!,
                RelayHost = Cap(occurrence.RelayHost, 1000),
                Sha256 = Cap(occurrence.Sha256, 64),
                RegressionReason = Cap(occurrence.RegressionReason, 500),
            },
            Group = smaller[^1].Group with
            {
                Signature = Cap(group.Signature, 1000)!,
                Kind = Cap(group.Kind, 1000)!,
                Culprit = Cap(group.Culprit, 1000),
                MergedInto = Cap(group.MergedInto, 1000),
            },
        };
        return (new BinaryData(minimal.ToUtf8Json()), true);
    }

    private static string Cap(string text) => Cap(text, MaxPropertyChars)!;

    private static string? Cap(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}
