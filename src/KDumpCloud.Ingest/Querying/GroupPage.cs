using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Querying;

/// <summary>One page of a group list.</summary>
/// <param name="Total">Groups matching the query, over all pages.</param>
/// <param name="Offset">Where the page starts in the whole list.</param>
/// <param name="Groups">The page, in the query's order.</param>
/// <param name="Kinds">Every panic kind among live groups, with how many groups have it (to filter on).</param>
/// <param name="OsBuilds">Every OS build the live groups list, with how many groups list it (to filter on).</param>
public sealed record GroupPage(int Total, int Offset, IReadOnlyList<CrashGroup> Groups, IReadOnlyList<FacetValue> Kinds,
    IReadOnlyList<FacetValue> OsBuilds);

/// <summary>A value to filter on and how many groups have it.</summary>
public sealed record FacetValue(string Value, int Groups);
