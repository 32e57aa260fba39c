using System.Collections;
using KDumpCloud.Cli.Queue;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Regrouping;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// Which crash store <c>crashes</c> and <c>ingest</c> work on: the embedded store (<c>crashes.db</c>) of the relay whose
/// data directory <c>--data-directory</c> names, or, when <c>KDumpStorage</c> is set and no directory is named, the
/// Azure Table store, built through <c>AddKDumpIngest</c> as the Function builds it (<see cref="OpenAzure"/>).
/// </summary>
internal static class CrashStoreFactory
{
    /// <summary>The relay's default <c>Relay:DataDirectory</c> (RelayOptions), relative to the working directory.</summary>
    public const string DefaultDataDirectory = "kdumpcloud-data";

    /// <summary>The configuration key the relay and the Functions host share for Azure storage.</summary>
    public const string StorageKey = "KDumpStorage";

    /// <summary>The store to read and change: <paramref name="dataDirectory"/>'s when given, else Azure when
    /// <c>KDumpStorage</c> is set, else the relay's default data directory. An embedded store must exist already: a
    /// wrong path is an error, not a new empty store.</summary>
    public static StoreChoice OpenExisting(string? dataDirectory, IDictionary environment)
    {
        if (dataDirectory is null && IsAzureConfigured(environment))
        {
            return OpenAzure(environment);
        }

        var path = StorePath(dataDirectory ?? DefaultDataDirectory);
        if (!File.Exists(path))
        {
            return StoreChoice.Failed(
                $"no crash store at {path}: --data-directory must name the relay's data directory (Relay:DataDirectory, " +
                $"default {DefaultDataDirectory} in the relay's working directory); the relay creates crashes.db when it ingests its first dump");
        }

        return Open(path);
    }

    /// <summary>The embedded store in <paramref name="dataDirectory"/>, created when it is not there yet
    /// (<c>ingest FILE…</c> fills it).</summary>
    public static StoreChoice OpenOrCreateEmbedded(string dataDirectory)
    {
        try
        {
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return StoreChoice.Failed($"cannot create {Path.GetFullPath(dataDirectory)}: {error.Message}");
        }

        return Open(StorePath(dataDirectory));
    }

    /// <summary>Whether <c>KDumpStorage</c> is set, as a connection string or as its identity-based section
    /// (<c>KDumpStorage__tableServiceUri</c> …), the way the relay and Functions read it from the environment.</summary>
    public static bool IsAzureConfigured(IDictionary environment) =>
        KDumpStorageOptions.IsConfigured(EnvironmentConfiguration.From(environment));

    public static string StorePath(string dataDirectory) => Path.GetFullPath(Path.Combine(dataDirectory, SqliteCrashStore.FileName));

    /// <summary>The Azure Table store <c>KDumpStorage</c> names (tables <c>Ingest:Azure:GroupsTable</c> and
    /// <c>Ingest:Azure:OccurrencesTable</c>, default crashgroups and occurrences), configured from
    /// <paramref name="environment"/> exactly as the Function is configured from its app settings.</summary>
    public static StoreChoice OpenAzure(IDictionary environment)
    {
        var configuration = EnvironmentConfiguration.From(environment);
        var (services, problem) = AzureIngestServices.Create(configuration);
        if (services is null)
        {
            return StoreChoice.Failed(problem!);
        }

        var tables = configuration.GetSection(AzureIngestOptions.SectionName);
        return new StoreChoice(services.Store,
            $"Azure Table Storage ({tables["GroupsTable"] ?? "crashgroups"}, {tables["OccurrencesTable"] ?? "occurrences"}) through {StorageKey}",
            null, services, services.Regrouper);
    }

    private static StoreChoice Open(string path)
    {
        try
        {
            var store = new SqliteCrashStore(path, TimeProvider.System);
            var dumps = new FileDumpReader(Path.GetDirectoryName(path));
            return new StoreChoice(store, path, null, Regrouper: new Regrouper(store, dumps, Options.Create(new IngestOptions()), TimeProvider.System));
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or UnauthorizedAccessException
            or Microsoft.Data.Sqlite.SqliteException)
        {
            return StoreChoice.Failed($"cannot open the crash store {path}: {error.Message}");
        }
    }
}

/// <summary>A store to work on, or why there is none, and its regrouping (which reads the store's dumps when it must);
/// disposing it releases what the store needs (the Azure clients).</summary>
internal sealed record StoreChoice(ICrashStore? Store, string Description, string? Problem, IAsyncDisposable? Resources = null,
    Regrouper? Regrouper = null) : IAsyncDisposable
{
    public static StoreChoice Failed(string problem) => new(null, string.Empty, problem);

    public ValueTask DisposeAsync() => Resources?.DisposeAsync() ?? ValueTask.CompletedTask;
}
