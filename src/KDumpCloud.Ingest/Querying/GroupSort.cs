using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Querying;

/// <summary>How the dashboard orders a group list.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GroupSort>))]
public enum GroupSort
{
    /// <summary>Open groups first, those that became open most recently (new, or regressed after being resolved)
    /// first; then the others by last seen. What needs a look now comes first.</summary>
    Regressions,

    /// <summary>Most recently seen first.</summary>
    LastSeen,

    /// <summary>Most occurrences first.</summary>
    Count,

    /// <summary>Most Macs first.</summary>
    Machines,

    /// <summary>Newest groups first.</summary>
    FirstSeen,
}
