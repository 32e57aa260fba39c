namespace KDumpCloud.Ingest.Model;

/// <summary>How <c>crashes</c> and the dashboard list groups.</summary>
public enum GroupOrder
{
    /// <summary>Most recently seen first.</summary>
    Newest,

    /// <summary>Highest count first.</summary>
    MostFrequent,
}
