using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Dashboard.Tests.Support;

/// <summary>One dashboard over one filled store for tests that only read: the corpus (when present), a panic whose
/// message carries markup and script, and a bug seen on two OS builds.</summary>
public sealed class LabFixture : IAsyncLifetime
{
    public LabStore Lab { get; } = new();

    public DashboardServer Server { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> CorpusGroups { get; private set; } = new Dictionary<string, string>();

    public Occurrence Hostile { get; private set; } = null!;

    public Occurrence TwoBuilds { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        CorpusGroups = await Lab.AddCorpusAsync();
        var now = DateTimeOffset.UtcNow;
        Hostile = await Lab.AddTextAsync("paniclog-hostile", PanicTexts.Intel(PanicTexts.Hostile, 1), now.AddHours(-3));
        TwoBuilds = await Lab.AddTextAsync("paniclog-builds-a", PanicTexts.Intel("AppleTwoBuilds", 2, "19E287"), now.AddDays(-2));
        await Lab.AddTextAsync("paniclog-builds-b", PanicTexts.Intel("AppleTwoBuilds", 3, "19F101"), now.AddDays(-1), "10.0.41.8:1069");
        Server = await DashboardServer.StartAsync(Lab);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Lab.Dispose();
    }
}
