using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KDumpCloud.Benchmarks.Ingest;

/// <summary>
/// Collects the ingestor's own timings from its per-dump log line (<c>DumpIngestor</c>: <c>TotalMs</c> and
/// <c>DecodeMs</c>, the latter from the first read of the dump stream to the decoded panic, so it includes waiting
/// for the blob download), counts warnings and errors of the project's own code (printed to stderr), and counts the
/// Azure SDK's failed responses (printed to stderr too: under concurrency these are the stores' expected 409 and 412
/// of optimistic concurrency). Everything else is dropped.
/// </summary>
internal sealed class IngestTimings : ILoggerProvider
{
    private readonly ConcurrentQueue<(double Total, double Decode)> _samples = new();
    private int _problems;
    private int _storageErrors;

    public IReadOnlyCollection<(double Total, double Decode)> Samples => _samples;

    /// <summary>Warnings and errors logged by KDumpCloud code.</summary>
    public int Problems => Volatile.Read(ref _problems);

    /// <summary>Warnings and errors logged by the Azure SDK (failed responses, retries).</summary>
    public int StorageErrors => Volatile.Read(ref _storageErrors);

    public void Clear() => _samples.Clear();

    public ILogger CreateLogger(string categoryName) => new Category(this, categoryName.StartsWith("KDumpCloud.", StringComparison.Ordinal));

    public void Dispose()
    {
    }

    private static double? Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string name)
    {
        foreach (var (key, value) in fields)
        {
            if (key == name && value is double number)
            {
                return number;
            }
        }

        return null;
    }

    private sealed class Category(IngestTimings owner, bool ours) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Interlocked.Increment(ref ours ? ref owner._problems : ref owner._storageErrors);
                var text = formatter(state, exception);
                Console.Error.WriteLine($"{logLevel}: {(ours ? text : text.Split('\n')[0])}");
            }

            if (ours && state is IReadOnlyList<KeyValuePair<string, object?>> fields
                && Field(fields, "TotalMs") is { } total && Field(fields, "DecodeMs") is { } decode)
            {
                owner._samples.Enqueue((total, decode));
            }
        }
    }
}
