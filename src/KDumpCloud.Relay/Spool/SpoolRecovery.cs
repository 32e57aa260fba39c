
namespace KDumpCloud.Relay.Spool;

/// <summary>
/// Runs once at start, before the listener: every dump a stopped relay left behind gets a truthful journal. A
/// journal still saying "receiving", or a file with no journal at all, becomes "incomplete" with its real length
/// and hash, so later stages never take a half-written dump for a whole one.
/// </summary>
internal sealed class SpoolRecovery(DumpSpool spool, TimeProvider time, ILogger<SpoolRecovery> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        spool.DeleteTemporaryJournals();
        int complete = 0, incomplete = 0, repaired = 0;
        foreach (var name in spool.EnumerateNames())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var journal = ReadOrNull(name);
            var file = new FileInfo(spool.DumpPath(name));
            if (journal is { State: not DumpState.Receiving } && (file.Exists || journal.State == DumpState.Incomplete))
            {
                if (journal.Sha256 is null && file.Exists)
                {
                    // The relay stopped between the final ACK and the background hash.
                    spool.WriteJournal(journal with { Sha256 = DumpSpool.HashFile(file.FullName) }, durable: true);
                }

                if (journal.State == DumpState.Complete)
                {
                    complete++;
                }
                else
                {
                    incomplete++;
                }

                continue;
            }

            var reason = journal is null
                ? "the relay stopped before the dump's journal was written"
                : file.Exists ? "the relay stopped during the transfer" : "the dump file is missing";
            var repairedJournal = (journal ?? new DumpJournal
            {
                DumpId = Guid.CreateVersion7(time.GetUtcNow()),
                FileName = name,
                Client = "unknown",
                State = DumpState.Incomplete,
                StartedAt = file.Exists ? file.CreationTimeUtc : time.GetUtcNow(),
            }) with
            {
                State = DumpState.Incomplete,
                Reason = reason,
                FileLength = file.Exists ? file.Length : 0,
                Sha256 = file.Exists ? DumpSpool.HashFile(file.FullName) : null,
                FinishedAt = time.GetUtcNow(),
            };
            spool.WriteJournal(repairedJournal, durable: true);
            Log.SpoolDumpRepaired(logger, name, reason, repairedJournal.FileLength);
            repaired++;
        }

        Log.SpoolRecovered(logger, spool.DumpsDirectory, complete, incomplete, repaired, spool.UsedBytes);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private DumpJournal? ReadOrNull(string name)
    {
        try
        {
            return spool.ReadJournal(name);
        }
        catch (System.Text.Json.JsonException)
        {
            // A torn or hand-edited journal: rebuild it from the file.
            return null;
        }
    }
}
