namespace KDumpCloud.Benchmarks.Storm;

/// <summary>One probe transfer: during which phase it started, how it ended, and whether the spool holds its bytes.</summary>
internal sealed record ProbeRecord(string Phase, MacResult Result, bool ByteIdentical);

/// <summary>
/// The probe: one ordinary Mac (127.1.0.1, real kernel timing) dumping a normal core, one at a time, again and
/// again through every phase. Each core has new content; after its final ACK the spool's file must hash to exactly
/// the bytes sent.
/// </summary>
internal sealed class ProbeLoop(StormContext context)
{
    private readonly List<ProbeRecord> _records = [];

    public WrqStats Wrqs { get; } = new();

    public IReadOnlyList<ProbeRecord> Records => _records;

    /// <summary>Runs until <paramref name="stop"/> (the current transfer is finished first) or <paramref name="abort"/>.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var o = context.Options;
        var address = SourceAddresses.For(SourceAddresses.Probe, 0);
        var content = new byte[o.ProbeSize];
        for (var i = 1; !stop.IsCancellationRequested && !abort.IsCancellationRequested; i++)
        {
            new Random(1000 + i).NextBytes(content);
            var phase = context.Phase;
            var spec = new MacSpec(context.Server, context.Source(address), StormContext.CoreName(address, (ulong)i), content, o.ProbeTiming);
            var result = await new AsyncKernelClient(spec, Wrqs).RunAsync(abort);
            _records.Add(new ProbeRecord(phase, result, context.StoredIdentically(result)));
            try
            {
                await Task.Delay(o.ProbePause, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Probe transfers started in <paramref name="phase"/> (all if null): (ok, failed).</summary>
    public (int Ok, int Failed) Count(string? phase = null)
    {
        var records = _records.Where(r => phase is null || r.Phase == phase).ToList();
        var ok = records.Count(r => r.ByteIdentical);
        return (ok, records.Count - ok);
    }

    /// <summary>Slowest probe transfer, for the report.</summary>
    public TimeSpan LongestTransfer => _records.Count == 0 ? TimeSpan.Zero : _records.Max(r => r.Result.Elapsed);

    public static string Describe(ProbeRecord record) => record.ByteIdentical
        ? "ok"
        : record.Result.Outcome == MacOutcome.Completed ? "completed but the stored file differs or is missing" : $"{record.Result.Outcome}: {record.Result.Detail}";
}
