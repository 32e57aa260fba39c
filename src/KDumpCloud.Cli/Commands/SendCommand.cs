using System.CommandLine;

namespace KDumpCloud.Cli.Commands;

internal static class SendCommand
{
    public static Command Create() => new("send", "Dump to a relay like a panicking Mac (work in progress).");
}
