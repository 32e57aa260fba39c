using System.CommandLine;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Output;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// <c>kdumpcloud decode FILE...</c>: decodes panic logs, <c>.panic</c>/<c>.ips</c> files, kdumpd paniclogs and cores,
/// printing a summary per file or, with <c>--json</c>, one JSON object per line. A file that cannot be read is
/// reported on stderr and makes the exit code 1; the other files are still decoded.
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
        var json = new Option<bool>("--json") { Description = "Print one JSON object per file per line (JSON Lines)." };
        var command = new Command("decode", "Decode panic logs, .panic/.ips files and cores, and fingerprint the crash.") { files, json };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) =>
            Task.FromResult(Run(result.GetValue(files) ?? [], result.GetValue(json),
                result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken)));
        return command;
    }

    internal static int Run(IReadOnlyList<FileInfo> files, bool json, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
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
                var fingerprint = Fingerprinter.Compute(report);
                if (json)
                {
                    PanicJsonLines.Write(output, file.ToString(), report, fingerprint);
                }
                else
                {
                    output.Write(PanicSummary.Format(file.ToString(), report, fingerprint));
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
