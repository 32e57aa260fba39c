using System.Text.Json.Serialization;

namespace KDumpCloud.Ingest.Model;

/// <summary>What a person has decided about a crash group.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GroupStatus>))]
public enum GroupStatus
{
    /// <summary>Being seen and not yet dealt with.</summary>
    Open,

    /// <summary>Fixed; seeing it again is a regression and reopens it.</summary>
    Resolved,

    /// <summary>Known and not worth attention; still counted, never reported as new or regressed.</summary>
    Ignored,

    /// <summary>Merged into another group (<see cref="CrashGroup.MergedInto"/>), which takes its later occurrences.</summary>
    Merged,
}
