using System.CommandLine;
using KDumpCloud.Cli.Commands;

// Ctrl+C cancels the command; the queue worker then hands back the messages it holds and prints its summary, which
// may take longer than System.CommandLine's default 2 s grace.
return await KdumpCloudCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
