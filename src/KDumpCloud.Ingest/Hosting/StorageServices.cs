namespace KDumpCloud.Ingest.Hosting;

/// <summary>The services of the <c>KDumpStorage</c> account a host uses, and so must be told of.</summary>
[Flags]
public enum StorageServices
{
    None = 0,
    Blob = 1,
    Queue = 2,
    Table = 4,
}
