using KDumpCloud.Cli.Commands;

return await KdumpCloudCommand.Create().Parse(args).InvokeAsync();
