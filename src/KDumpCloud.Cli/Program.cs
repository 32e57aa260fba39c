using System.CommandLine;
using KDumpCloud.Cli.Commands;

var root = new RootCommand(
    "kdumpcloud: tools for KDumpCloud, the macOS kernel panic collector.\n" +
    "  send    behave like a panicking Mac and dump to a relay (setup checks, tests, load)\n" +
    "  decode  decode panic logs, .panic/.ips files and cores, and fingerprint the crash");
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(DecodeCommand.Create());
return await root.Parse(args).InvokeAsync();
