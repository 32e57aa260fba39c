using KDumpCloud.Relay;
using KDumpCloud.Relay.Hosting;

if (RelayHelp.IsRequested(args))
{
    Console.WriteLine(RelayHelp.Text);
    return 0;
}

// Settings come from beside the binary whatever the working directory (a service's is its spool);
// a relative Relay:DataDirectory is still taken from the working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    console.UseUtcTimestamp = true;
});
builder.Services.AddSystemd();
builder.Services.AddKdumpRelay(builder.Configuration);

try
{
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception error) when (error is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException)
{
    Console.Error.WriteLine($"kdumpcloud-relay: {error.Message}");
    return 2;
}
