using System.CommandLine;

namespace KDumpCloud.Cli.Commands;

internal static class DecodeCommand
{
    public static Command Create() => new("decode", "Decode panic logs (work in progress).");
}
