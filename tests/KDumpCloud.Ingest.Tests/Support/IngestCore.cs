using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KDumpCloud.Ingest.Tests.Support;

/// <summary>The processing core over files and a SQLite store in a temporary folder, with a log collector.</summary>
internal sealed class IngestCore : IDisposable
{
    private readonly TempDirectory _directory = new();

    public IngestCore(IngestOptions? options = null, params IIngestObserver[] observers)
        : this(null, [], options, observers)
    {
    }

    /// <summary>With the metrics of a test's own meter factory, and report publishers.</summary>
    public IngestCore(IngestMetrics? metrics, IReportPublisher[] publishers, IngestOptions? options = null, params IIngestObserver[] observers)
    {
        Store = new SqliteCrashStore(Path.Combine(_directory.Path, SqliteCrashStore.FileName), Time);
        Ingestor = new DumpIngestor(new FileDumpReader(), Store, publishers, observers, Options.Create(options ?? new IngestOptions()), Time,
            new FakeLogger<DumpIngestor>(Logs), metrics);
    }

    public FakeTimeProvider Time { get; } = new(TestOccurrences.Start);

    public FakeLogCollector Logs { get; } = new();

    public SqliteCrashStore Store { get; }

    public DumpIngestor Ingestor { get; }

    public string Folder => _directory.Path;

    /// <summary>Writes <paramref name="content"/> as a dump file and returns the message the relay would send for it.</summary>
    public IngestMessage Dump(string fileName, byte[] content, bool complete = true, string client = "10.0.40.7:1069")
    {
        var path = Path.Combine(_directory.Path, fileName);
        File.WriteAllBytes(path, content);
        return new IngestMessage
        {
            DumpId = Guid.CreateVersion7(),
            BlobUri = FileDumpReader.UriFor(path),
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)),
            Complete = complete,
            Reason = complete ? null : "no datagram from the Mac for 50 s",
            Client = client,
            FileName = fileName,
            RelayHost = "relay-under-test",
            ReceivedAt = Time.GetUtcNow(),
        };
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
