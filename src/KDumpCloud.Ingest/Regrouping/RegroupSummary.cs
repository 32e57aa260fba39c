namespace KDumpCloud.Ingest.Regrouping;

/// <summary>What a regrouping found and would do (or did): the figures and the lines a person reviews in a dry run.</summary>
public sealed class RegroupSummary
{
    public int Scanned { get; set; }

    public int FromStoredText { get; set; }

    public int FromDump { get; set; }

    public int Kept { get; set; }

    /// <summary>Groups a person sees (merged ones left out) before and after.</summary>
    public int GroupsBefore { get; set; }

    public int GroupsAfter { get; set; }

    /// <summary>Occurrences whose group or identity changes.</summary>
    public int Moved { get; set; }

    /// <summary>Group rows written (new, recounted, or now merged into a new group).</summary>
    public int GroupsWritten { get; set; }

    /// <summary>New groups that take occurrences of more than one old group, one line each.</summary>
    public List<string> Joined { get; } = [];

    /// <summary>Old groups whose occurrences went to more than one new group, one line each.</summary>
    public List<string> Split { get; } = [];
}
