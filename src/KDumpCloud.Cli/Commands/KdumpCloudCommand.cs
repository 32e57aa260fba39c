using System.Collections;
using System.CommandLine;

namespace KDumpCloud.Cli.Commands;

/// <summary>The <c>kdumpcloud</c> root command; tests invoke it with their own output writers.</summary>
internal static class KdumpCloudCommand
{
    /// <param name="environment">Where <c>crashes</c> and <c>ingest</c> read <c>KDumpStorage</c> and the
    /// <c>Ingest</c> settings; the process environment when null.</param>
    public static RootCommand Create(IDictionary? environment = null)
    {
        var root = new RootCommand(
            "kdumpcloud: tools for KDumpCloud, the macOS kernel panic collector.\n" +
            "  send    behave like a panicking Mac and dump to a relay (setup checks, tests, load)\n" +
            "  decode  decode panic logs, .panic/.ips files and cores, and fingerprint the crash\n" +
            "  crashes list, show, resolve, ignore, reopen and merge crash groups\n" +
            "  ingest  record dump files in the crash store, or (with KDumpStorage) drain the ingest queue as the Function does");
        root.Subcommands.Add(SendCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(CrashesCommand.Create(environment));
        root.Subcommands.Add(IngestCommand.Create(environment));
        root.Subcommands.Add(AlertsCommand.Create(environment));
        return root;
    }
}
