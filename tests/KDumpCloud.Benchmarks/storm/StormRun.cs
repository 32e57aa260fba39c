using System.Diagnostics;
using System.Net;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>The whole run: start the relay, sample it, probe it through the three phases, kill it, report.</summary>
internal static class StormRun
{
    public static async Task<StormFigures> RunAsync(StormOptions options, TextWriter progress)
    {
        var dataDirectory = options.DataDirectory ?? Directory.CreateTempSubdirectory("kdumpcloud-storm.").FullName;
        Directory.CreateDirectory(dataDirectory);
        var relayLog = options.RelayLog ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataDirectory))!, "relay.log");
        using var deadline = new CancellationTokenSource(options.Deadline);
        using var relay = RelayProcess.Start(options.RelayDll, dataDirectory, options.Port, options.RelayArguments, relayLog);
        var port = await relay.Port.WaitAsync(TimeSpan.FromSeconds(60), deadline.Token);
        await progress.WriteLineAsync($"relay pid {relay.Id} listening on 127.0.0.1:{port}; spool {dataDirectory}; log {relayLog}");

        var context = new StormContext(options, new IPEndPoint(IPAddress.Loopback, port), dataDirectory);
        var sampler = new RelaySampler(relay.Id, options.SampleInterval);
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler.RunAsync(stopSampling.Token);
        var probe = new ProbeLoop(context);
        using var stopProbe = new CancellationTokenSource();
        var probing = probe.RunAsync(stopProbe.Token, deadline.Token);

        var started = Stopwatch.GetTimestamp();
        var phases = new List<PhaseResult>();
        foreach (var (name, run) in options.Phases.Select(p => Phases()[p - 1]))
        {
            if (deadline.IsCancellationRequested || relay.HasExited)
            {
                await progress.WriteLineAsync($"skipping {name}: {(relay.HasExited ? "the relay has exited" : "the deadline has passed")}");
                continue;
            }

            context.Phase = name;
            await progress.WriteLineAsync($"{name} …");
            var result = await run(context, deadline.Token);
            await SettleAsync(options.Settle, deadline.Token);
            result.SpoolFilesAfter = context.SpoolFileCount();
            result.JournalFilesAfter = context.JournalFileCount();
            result.RelayPeaks = sampler.TakePhasePeaks();
            phases.Add(result);
            await progress.WriteLineAsync($"{name}: {StormReport.OneLine(result)}");
        }

        context.Phase = "after";
        await stopProbe.CancelAsync();
        await probing;
        var aliveAtEnd = !relay.HasExited;
        var exitCode = relay.ExitCode;
        await stopSampling.CancelAsync();
        await sampling;
        var total = Stopwatch.GetElapsedTime(started);
        await relay.KillAsync();
        return new StormFigures(options, port, dataDirectory, relayLog, phases, probe, sampler, aliveAtEnd, exitCode,
            context.SpoolFileCount(), total, deadline.IsCancellationRequested, RelayLogSummary.Read(relayLog));
    }

    private static (string Name, Func<StormContext, CancellationToken, Task<PhaseResult>> Run)[] Phases() =>
    [
        ("1. mass dump", MassDumpPhase.RunAsync),
        ("2. short transfers", ShortTransfersPhase.RunAsync),
        ("3. WRQ flood", WrqFloodPhase.RunAsync),
    ];

    private static async Task SettleAsync(TimeSpan settle, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(settle, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: count what is there.
        }
    }
}

/// <summary>Everything a run measured.</summary>
internal sealed record StormFigures(
    StormOptions Options, int Port, string DataDirectory, string RelayLog, IReadOnlyList<PhaseResult> Phases, ProbeLoop Probe,
    RelaySampler Sampler, bool RelayAliveAtEnd, int? RelayExitCode, int SpoolFilesAtEnd, TimeSpan Total, bool DeadlineHit,
    RelayLogSummary Log);
