using KDumpCloud.Dashboard.Hosting;
using Microsoft.AspNetCore.Builder;

namespace KDumpCloud.Relay.Hosting;

/// <summary>
/// The small Kestrel applications the relay runs beside its UDP listener (the crash dashboard, the operations
/// endpoint). One that cannot listen (its port taken, an address not on this machine) is reported and disposed: the
/// relay goes on receiving panics without it.
/// </summary>
internal static class SideApplication
{
    /// <summary>Starts <paramref name="app"/>: the started application and where it listens (the real port when the
    /// URL said 0), or, when it cannot listen, null after telling <paramref name="cannotListen"/> why.</summary>
    public static async Task<(WebApplication App, Uri Address)?> StartAsync(WebApplication app, Action<string> cannotListen,
        CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            cannotListen(error.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        return (app, DashboardHost.Address(app));
    }
}
