using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// Keeps every JSON document the table store writes within one string property: Table storage stores strings as
/// UTF-16 and refuses a property over 64 KiB, so a document is at most <see cref="MaxChars"/> characters.
/// </summary>
/// <remarks>
/// Occurrences: fields that groups list or show are cut first (short, fixed bounds no real value reaches), then the
/// panic message and the warnings give way, with a warning saying so. Groups: their lists are bounded by count
/// already; if long values still overflow, the newest Macs and kernels are left out (the list is marked saturated,
/// the count stays exact). OS builds are never dropped, since a build missing from the list would read as a
/// regression each time it is seen.
/// </remarks>
internal static class TableDocuments
{
    /// <summary>64 KiB of UTF-16, less a margin for the property's own overhead.</summary>
    public const int MaxChars = 32_000;

    /// <summary>Bound on the values a group lists (Mac, OS build, kernel) and on the model.</summary>
    public const int MaxListedValueChars = 100;

    /// <summary>Bound on other single-line texts (signature, kind, culprit, names and locations).</summary>
    public const int MaxTextChars = 500;

    /// <summary>Bound on each warning once a document had to be shortened.</summary>
    public const int MaxWarningChars = 500;

    /// <summary>Most entries of the counted-dumps list a group row keeps.</summary>
    public const int MaxCountedDumps = 128;

    public const string ShortenedWarning = "shortened to fit a Table storage property (64 KiB): panic message or warnings cut";

    public const string FieldsCutWarning = "a field longer than the table store keeps was cut";

    /// <summary>The occurrence as the table store records it: fields bounded, and its JSON within <see cref="MaxChars"/>.</summary>
    /// <exception cref="InvalidOperationException">It cannot be made to fit (not reachable with the bounds above).</exception>
    public static Occurrence Fit(Occurrence occurrence)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        var capped = occurrence with
        {
            Machine = Cap(occurrence.Machine, MaxListedValueChars)!,
            OsBuild = Cap(occurrence.OsBuild, MaxListedValueChars),
            KernelVersion = Cap(occurrence.KernelVersion, MaxListedValueChars),
            Model = Cap(occurrence.Model, MaxListedValueChars),
            Signature = Cap(occurrence.Signature, MaxTextChars)!,
            Kind = Cap(occurrence.Kind, MaxTextChars)!,
            Culprit = Cap(occurrence.Culprit, MaxTextChars),
            Client = Cap(occurrence.Client, MaxTextChars)!,
            FileName = Cap(occurrence.FileName, MaxTextChars)!,
            DumpLocation = Cap(occurrence.DumpLocation, MaxTextChars * 2)!,
            RelayHost = Cap(occurrence.RelayHost, MaxTextChars),
            Sha256 = Cap(occurrence.Sha256, 64),
        };
        string[] notes = capped == occurrence ? [] : [FieldsCutWarning];
        if (notes.Length > 0)
        {
            capped = capped with { Warnings = [.. occurrence.Warnings, .. notes] };
        }

        if (TableJson.Write(capped).Length <= MaxChars)
        {
            return capped;
        }

        var panic = capped.PanicMessage;
        var warnings = occurrence.Warnings.Select(w => Cap(w, MaxWarningChars)!).ToList();
        while (true)
        {
            var candidate = capped with { PanicMessage = panic, Warnings = [.. warnings, .. notes, ShortenedWarning] };
            if (TableJson.Write(candidate).Length <= MaxChars)
            {
                return candidate;
            }

            if (panic is { Length: > 256 })
            {
                panic = Cap(panic, panic.Length / 2);
            }
            else if (warnings.Count > 0)
            {
                warnings.RemoveRange(warnings.Count / 2, warnings.Count - (warnings.Count / 2));
            }
            else if (panic is not null)
            {
                panic = null;
            }
            else
            {
                throw new InvalidOperationException($"occurrence {occurrence.DumpId} does not fit a table property even without its panic message and warnings");
            }
        }
    }

    /// <summary>The group's JSON within <see cref="MaxChars"/>, and the group it describes (lists shortened if they had to be).</summary>
    /// <exception cref="InvalidOperationException">It cannot be made to fit (not reachable for groups of fitted occurrences).</exception>
    public static (CrashGroup Group, string Json) Fit(CrashGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var json = TableJson.Write(group);
        while (json.Length > MaxChars)
        {
            var machines = group.Machines.Sum(m => m.Length);
            var kernels = group.Kernels.Sum(k => k.Length);
            if (machines == 0 && kernels == 0)
            {
                throw new InvalidOperationException($"group {group.Id} does not fit a table property");
            }

            group = machines >= kernels
                ? group with { Machines = group.Machines.Take(group.Machines.Count - 1).ToArray(), MachinesSaturated = true }
                : group with { Kernels = group.Kernels.Take(group.Kernels.Count - 1).ToArray(), MachinesSaturated = true };
            json = TableJson.Write(group);
        }

        return (group, json);
    }

    /// <summary>The counted-dumps list's JSON: at most <see cref="MaxCountedDumps"/> entries and <see cref="MaxChars"/>
    /// characters, the oldest dropped first.</summary>
    public static string Fit(List<CountedDump> counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        if (counted.Count > MaxCountedDumps)
        {
            counted.RemoveRange(0, counted.Count - MaxCountedDumps);
        }

        var json = TableJson.Write(counted);
        while (json.Length > MaxChars && counted.Count > 1)
        {
            counted.RemoveRange(0, Math.Max(1, counted.Count / 8));
            json = TableJson.Write(counted);
        }

        return json;
    }

    private static string? Cap(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}
