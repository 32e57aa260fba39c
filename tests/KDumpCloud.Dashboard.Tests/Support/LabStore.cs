using System.Security.Cryptography;
using System.Text;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Dashboard.Tests.Support;

/// <summary>
/// A lab's crash store filled through the real ingest path: dump files in a folder, <see cref="DumpIngestor"/> reading
/// them with <see cref="FileDumpReader"/>, decoding, fingerprinting and recording in a SQLite store. Receive times are
/// spread over the last days so the trends have something to show.
/// </summary>
public sealed class LabStore : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kdumpcloud-dashboard-tests", Guid.NewGuid().ToString("n"));
    private int _sent;

    public LabStore()
    {
        Directory.CreateDirectory(DumpsDirectory);
        Store = new SqliteCrashStore(Path.Combine(_directory, SqliteCrashStore.FileName), TimeProvider.System);
        Queries = new SqliteCrashQueries(Store);
        Reader = new FileDumpReader(DumpsDirectory);
        Ingestor = new DumpIngestor(Reader, Store, [], [], Options.Create(new IngestOptions()), TimeProvider.System, NullLogger<DumpIngestor>.Instance);
    }

    public string DumpsDirectory => Path.Combine(_directory, "dumps");

    public SqliteCrashStore Store { get; }

    public SqliteCrashQueries Queries { get; }

    public FileDumpReader Reader { get; }

    public DumpIngestor Ingestor { get; }

    /// <summary>Records every corpus panic (when the corpus is there), each from its own Mac, received over the last
    /// three weeks. Returns the group of each file.</summary>
    public async Task<IReadOnlyDictionary<string, string>> AddCorpusAsync()
    {
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Corpus.Root is null)
        {
            return groups;
        }

        var now = DateTimeOffset.UtcNow;
        foreach (var (file, index) in Corpus.PanicFiles().Select((f, i) => (f, i)))
        {
            var report = await AddAsync(Path.GetFileName(file), File.ReadAllBytes(file), now.AddDays(-(index % 21)).AddMinutes(-index),
                $"10.0.{index % 7}.{10 + (index % 5)}:1069");
            groups[Path.GetFileName(file)] = report.GroupId;
        }

        return groups;
    }

    /// <summary>Records one dump file with <paramref name="content"/>, received at <paramref name="receivedAt"/> from
    /// <paramref name="client"/>.</summary>
    public async Task<Occurrence> AddAsync(string fileName, byte[] content, DateTimeOffset receivedAt, string client = "10.0.40.7:1069")
    {
        var name = $"{Interlocked.Increment(ref _sent):D4}-{fileName}";
        var path = Path.Combine(DumpsDirectory, name);
        await File.WriteAllBytesAsync(path, content);
        var report = await Ingestor.IngestAsync(new IngestMessage
        {
            DumpId = Guid.CreateVersion7(),
            BlobUri = FileDumpReader.UriFor(path),
            Size = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Complete = true,
            Client = client,
            FileName = name,
            RelayHost = "relay-under-test",
            ReceivedAt = receivedAt,
        }, CancellationToken.None);
        return (await Store.FindOccurrenceAsync(report.DumpId))!;
    }

    public Task<Occurrence> AddTextAsync(string fileName, string panicText, DateTimeOffset receivedAt, string client = "10.0.40.7:1069") =>
        AddAsync(fileName, Encoding.UTF8.GetBytes(panicText), receivedAt, client);

    public void Dispose()
    {
        Queries.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine: the temporary folder is left for the system to clean.
        }
    }
}
