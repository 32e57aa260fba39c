using System.CommandLine;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Fingerprinting.Rules;
using KDumpCloud.Panics.Output;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// <c>kdumpcloud decode FILE...</c>: decodes panic logs, <c>.panic</c>/<c>.ips</c> files, kdumpd paniclogs and cores,
/// printing a summary per file or, with <c>--json</c>, one JSON object per line. <c>--rules FILE</c> applies a lab's
/// grouping rules and <c>--explain</c> adds every hashed component to the summary. A file that cannot be read is
/// reported on stderr and makes the exit code 1; the other files are still decoded. A rules file that cannot be used
/// stops the command before any decode (exit code 2), naming the line at fault.
/// </summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files")
        {
            Description = "Panic logs, .panic/.ips files, kdumpd paniclog-… files or core-… files (gzip or Mach-O).",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per file per line (JSON Lines); it always carries fingerprintExplanation." };
        var rules = new Option<FileInfo?>("--rules")
        {
            Description = "Lab grouping rules (one per line, 'field:glob ... -> group=NAME' or '-> add=culprit|kext|message|kind|label:NAME'; "
                + "fields message, culprit, kind, kext; first match wins; at most 64 KiB and 256 rules). See src/KDumpCloud.Panics/README.md.",
        };
        var explain = new Option<bool>("--explain") { Description = "Also print every component that went into the fingerprint's hash, after the reasons (Because:) and any lab rule that applied." };
        var command = new Command("decode", "Decode panic logs, .panic/.ips files and cores, and fingerprint the crash.") { files, json, rules, explain };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) =>
            Task.FromResult(Run(result.GetValue(files) ?? [], new DecodeOptions(result.GetValue(json), result.GetValue(rules), result.GetValue(explain)),
                result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken)));
        return command;
    }

    internal static int Run(IReadOnlyList<FileInfo> files, DecodeOptions options, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var rules = GroupingRules.Empty;
        if (options.Rules is { } rulesFile)
        {
            try
            {
                rules = GroupingRules.Load(rulesFile.FullName);
            }
            catch (Exception e) when (e is GroupingRulesException or IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
            {
                errors.WriteLine($"kdumpcloud decode: rules file {rulesFile}: {e.Message}");
                return 2;
            }
        }

        var failed = false;
        foreach (var file in files)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }

            try
            {
                var report = PanicFileDecoder.Decode(file.FullName);
                var fingerprint = Fingerprinter.Compute(report, rules);
                if (options.Json)
                {
                    PanicJsonLines.Write(output, file.ToString(), report, fingerprint);
                }
                else
                {
                    output.Write(PanicSummary.Format(file.ToString(), report, fingerprint, options.Explain));
                    output.Write('\n');
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.WriteLine($"kdumpcloud decode: cannot read {file}: {e.Message}");
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }
}

/// <summary>How <c>decode</c> prints and groups: JSON Lines or summaries, a lab rules file, and whether to list hashed components.</summary>
internal sealed record DecodeOptions(bool Json, FileInfo? Rules, bool Explain);
