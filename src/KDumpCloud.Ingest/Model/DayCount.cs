namespace KDumpCloud.Ingest.Model;

/// <summary>How many occurrences of a group were received on one UTC day.</summary>
public sealed record DayCount(DateOnly Day, long Count);
