using System.CommandLine;

namespace KDumpCloud.Cli.Commands;

/// <summary>The <c>kdumpcloud</c> root command; tests invoke it with their own output writers.</summary>
internal static class KdumpCloudCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "kdumpcloud: tools for KDumpCloud, the macOS kernel panic collector.\n" +
            "  send    behave like a panicking Mac and dump to a relay (setup checks, tests, load)\n" +
            "  decode  decode panic logs, .panic/.ips files and cores, and fingerprint the crash\n" +
            "  crashes list, show, resolve, ignore, reopen and merge crash groups\n" +
            "  ingest  record dump files (or, with KDumpStorage, the ingest queue) in the crash store");
        root.Subcommands.Add(SendCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(CrashesCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        return root;
    }
}
