using Azure;
using Azure.Data.Tables;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Azure;

/// <summary>A group row as read or written: the group, the dumps it counted recently, and the ETag to write it back with.</summary>
internal sealed record GroupRow(CrashGroup Group, List<CountedDump> Counted, ETag ETag)
{
    public static GroupRow Of(TableEntity entity) =>
        new(TableJson.ReadGroup(entity.GetString("Document")), TableJson.ReadCounted(entity.GetString("Counted")), entity.ETag);
}
