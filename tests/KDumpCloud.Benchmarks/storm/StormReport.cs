using System.Globalization;
using System.Text;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>The markdown figures of a run (run.sh puts the machine, date and commit above them).</summary>
internal static class StormReport
{
    public static string OneLine(PhaseResult p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Wall.TotalSeconds:F1} s; dumps {Outcomes(p)}; WRQs {p.Wrqs.Sent}: ACK 0 {p.Wrqs.Acknowledged}, ERROR {p.Wrqs.Errors}, none {p.Wrqs.Unanswered}; " +
        $"WRQ→ACK 0 p50/p99/max {p.Wrqs.AckLatency().ToMilliseconds()} ms; spool files {p.SpoolFilesAfter}; relay threads ≤ {p.RelayPeaks.Threads}");

    public static string Markdown(StormFigures f)
    {
        var o = f.Options;
        var s = new StringBuilder();
        Line(s, "## Settings");
        Line(s);
        Line(s, $"- Relay: `dotnet kdumpcloud-relay.dll --Relay:Port 0 --Relay:BindAddress 127.0.0.1 --Relay:DataDirectory <tmp> --EmbeddedIngest:Enabled false{string.Concat(o.RelayArguments.Select(a => " " + a))}` (listened on {f.Port}); its defaults otherwise");
        Line(s, $"- Macs: modern kernel (xnu-7195+, 1406-byte DATA, sequential core), each Mac from its own 127.x.y.z, source port {(o.MacsUseServerPort ? "= the relay's port, as a real Mac's is its panicd_port" : "any")}");
        Line(s, $"- Probe: 127.1.0.1, {SizeText.Format(o.ProbeSize)} cores one after another ({o.ProbePause.TotalMilliseconds:0} ms apart), {StormOptions.TimingName(o.ProbeTiming)} timing, new content each time");
        foreach (var p in f.Phases)
        {
            Line(s, $"- Phase {p.Name}: {p.Description}");
        }

        Line(s, $"- Relay sampled every {o.SampleInterval.TotalMilliseconds:0} ms ({f.Sampler.Samples} samples); {o.Settle.TotalSeconds:0} s pause after each phase before counting the spool; whole run {f.Total.TotalSeconds:F0} s{(f.DeadlineHit ? " (**the global deadline ended it**)" : "")}");
        Line(s);
        PhaseTable(s, f);
        Line(s);
        Line(s, "## Probe");
        Line(s);
        var (ok, failed) = f.Probe.Count();
        Line(s, $"- **{ok} ok, {failed} failed** (ok = final ACK and the spool's file byte-identical: SHA-256 of the bytes sent = SHA-256 of `dumps/<name>`)");
        Line(s, $"- WRQ → ACK 0 p50 / p99 / max: **{f.Probe.Wrqs.AckLatency().ToMilliseconds()} ms** over {f.Probe.Wrqs.Acknowledged} ACK 0 (WRQs sent {f.Probe.Wrqs.Sent}: ERROR {f.Probe.Wrqs.Errors}, no reply {f.Probe.Wrqs.Unanswered}, other {f.Probe.Wrqs.Other})");
        Line(s, $"- Longest probe transfer: {f.Probe.LongestTransfer.TotalSeconds:F2} s");
        foreach (var record in f.Probe.Records.Where(r => !r.ByteIdentical).Take(5))
        {
            Line(s, $"- Failed during {record.Phase}: `{record.Result.FileName}`: {ProbeLoop.Describe(record)}");
        }

        Line(s);
        RelaySection(s, f);
        return s.ToString();
    }

    private static void PhaseTable(StringBuilder s, StormFigures f)
    {
        var all = WrqStats.Combine([.. f.Phases.Select(p => p.Wrqs), f.Probe.Wrqs]);
        Line(s, "## Figures");
        Line(s);
        Line(s, $"| | {string.Join(" | ", f.Phases.Select(p => p.Name))} | whole run (probe included) |");
        Line(s, $"|---|{string.Concat(f.Phases.Select(_ => "---|"))}---|");
        Row(s, f, "wall time (s)", p => string.Create(CultureInfo.InvariantCulture, $"{p.Wall.TotalSeconds:F1}"), string.Create(CultureInfo.InvariantCulture, $"{f.Total.TotalSeconds:F1}"));
        Row(s, f, "dumps: completed / refused / timed out / stopped", Outcomes, "");
        Row(s, f, "completed and byte-identical in the spool", p => p.Outcomes.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{p.ByteIdentical}"), "");
        Row(s, f, "WRQ datagrams sent", p => string.Create(CultureInfo.InvariantCulture, $"{p.Wrqs.Sent}"), string.Create(CultureInfo.InvariantCulture, $"{all.Sent}"));
        Row(s, f, "… answered ACK 0 / ERROR / no reply / other", p => Answers(p.Wrqs), Answers(all));
        Row(s, f, "WRQ → ACK 0 p50 / p99 / max (ms)", p => p.Wrqs.AckLatency().ToMilliseconds(), all.AckLatency().ToMilliseconds());
        Row(s, f, "probe transfers ok / failed (by start)", p => ProbeCount(f, p.Name), ProbeCount(f, null));
        Row(s, f, "files in dumps/ after the phase", p => string.Create(CultureInfo.InvariantCulture, $"{p.SpoolFilesAfter}"), string.Create(CultureInfo.InvariantCulture, $"{f.SpoolFilesAtEnd}"));
        Row(s, f, "files in journal/ after the phase", p => string.Create(CultureInfo.InvariantCulture, $"{p.JournalFilesAfter}"), "");
        Row(s, f, "relay peak RSS in the phase (VmRSS, MB)", p => Megabytes(p.RelayPeaks.RssKib), Megabytes(f.Sampler.PeakHwmKib) + " (VmHWM)");
        Row(s, f, "relay peak threads", p => string.Create(CultureInfo.InvariantCulture, $"{p.RelayPeaks.Threads}"), string.Create(CultureInfo.InvariantCulture, $"**{f.Sampler.PeakThreads}**"));
        Row(s, f, "relay peak open fds", p => string.Create(CultureInfo.InvariantCulture, $"{p.RelayPeaks.Fds}"), string.Create(CultureInfo.InvariantCulture, $"{f.Sampler.PeakFileDescriptors}"));
        foreach (var p in f.Phases)
        {
            foreach (var note in p.Notes)
            {
                Line(s);
                Line(s, $"- {p.Name}: {note}");
            }

            foreach (var (detail, count) in p.Failures)
            {
                Line(s, $"- {p.Name}, {count} dumps: {detail}");
            }
        }
    }

    private static void RelaySection(StringBuilder s, StormFigures f)
    {
        var log = f.Log;
        Line(s, "## Relay");
        Line(s);
        Line(s, $"- Peak RSS (VmHWM): **{Megabytes(f.Sampler.PeakHwmKib)} MB**; peak threads **{f.Sampler.PeakThreads}**; peak open fds {f.Sampler.PeakFileDescriptors}");
        Line(s, $"- Alive at the end: **{(f.RelayAliveAtEnd ? "yes" : $"no (exit code {f.RelayExitCode})")}**; files in dumps/ at the end: {f.SpoolFilesAtEnd}");
        Line(s, $"- Its log: {log.Started} transfers started, {log.Completed} completed, {log.Incomplete} incomplete; {log.Errors} `fail:` and {log.Critical} `crit:` entries");
        foreach (var (reason, count) in log.Refusals)
        {
            Line(s, $"- Refused {count}×: {reason}");
        }

        foreach (var (reason, count) in log.IncompleteReasons)
        {
            Line(s, $"- Incomplete {count}×: {reason}");
        }

        foreach (var error in log.FirstErrors)
        {
            Line(s, $"- Error: `{error.Replace('`', '\'')}`");
        }
    }

    private static void Row(StringBuilder s, StormFigures f, string label, Func<PhaseResult, string> cell, string total) =>
        Line(s, $"| {label} | {string.Join(" | ", f.Phases.Select(cell))} | {total} |");

    private static string Outcomes(PhaseResult p) => p.Outcomes.Count == 0
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{Get(p, MacOutcome.Completed)} / {Get(p, MacOutcome.Refused)} / {Get(p, MacOutcome.TimedOut)} / {Get(p, MacOutcome.Cancelled) + Get(p, MacOutcome.SocketFailed)}");

    private static int Get(PhaseResult p, MacOutcome outcome) => p.Outcomes.GetValueOrDefault(outcome);

    private static string Answers(WrqStats w) => string.Create(CultureInfo.InvariantCulture, $"{w.Acknowledged} / {w.Errors} / {w.Unanswered} / {w.Other}");

    private static string ProbeCount(StormFigures f, string? phase)
    {
        var (ok, failed) = f.Probe.Count(phase);
        return string.Create(CultureInfo.InvariantCulture, $"{ok} / {failed}");
    }

    private static string Megabytes(long kib) => string.Create(CultureInfo.InvariantCulture, $"{kib * 1024 / 1e6:F1}");

    private static void Line(StringBuilder s, string text = "") => s.Append(text).Append('\n');
}
