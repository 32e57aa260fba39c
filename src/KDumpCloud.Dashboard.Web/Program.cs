using KDumpCloud.Dashboard.Hosting;
using KDumpCloud.Dashboard.Web;
using Microsoft.AspNetCore.HttpOverrides;

// The dashboard as its own app. In Azure: App Service runs it behind Entra ID sign-in (App Service authentication),
// and the app trusts the platform for who may see it; it reads Table Storage and Blob with its managed identity
// through KDumpStorage, exactly as it does against Azurite with KDumpStorage=UseDevelopmentStorage=true. Without
// KDumpStorage it reads a relay's crashes.db (Dashboard:DataDirectory), for a look at a store on another machine.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDashboardWeb(builder.Configuration);

// App Service terminates TLS and forwards the scheme; the dashboard builds no absolute links, but cookies and
// redirects should see https.
builder.Services.Configure<ForwardedHeadersOptions>(options =>
{
    options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
    options.KnownIPNetworks.Clear();
    options.KnownProxies.Clear();
});

var app = builder.Build();
app.UseForwardedHeaders();
app.MapKDumpDashboard();
app.Run();
