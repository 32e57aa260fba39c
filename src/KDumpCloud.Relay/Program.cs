using KDumpCloud.Relay;
using KDumpCloud.Relay.Hosting;

if (RelayHelp.IsRequested(args))
{
    Console.WriteLine(RelayHelp.Text);
    return 0;
}

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    console.UseUtcTimestamp = true;
});
builder.Services.AddSystemd();
builder.Services.AddKdumpRelay();

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
