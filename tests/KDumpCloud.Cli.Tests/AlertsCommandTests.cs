using System.Net;
using System.Net.Sockets;

namespace KDumpCloud.Cli.Tests;

/// <summary><c>kdumpcloud alerts test</c> against a real HttpListener on loopback: one sink takes the sample, one
/// refuses it (400), one is not there; each line says so without the URL, and the exit code says not all took it.</summary>
public sealed class AlertsCommandTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _base;
    private int _requests;

    public AlertsCommandTests()
    {
        _base = $"http://127.0.0.1:{FreePort()}/";
        _listener.Prefixes.Add(_base);
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    Interlocked.Increment(ref _requests);
                    context.Response.StatusCode = context.Request.Url!.AbsolutePath.StartsWith("/bad", StringComparison.Ordinal) ? 400 : 200;
                    context.Response.Close();
                }
                catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
    }

    [Fact]
    public async Task Test_SaysWhatEachSinkAnswered_WithoutTheUrls()
    {
        var environment = new Dictionary<string, string>
        {
            ["Alerts__Webhooks__0__Kind"] = "slack",
            ["Alerts__Webhooks__0__Url"] = _base + "good/T000/B000/secret-a",
            ["Alerts__Webhooks__1__Kind"] = "discord",
            ["Alerts__Webhooks__1__Url"] = _base + "bad/secret-b",
            ["Alerts__Webhooks__2__Kind"] = "teams",
            ["Alerts__Webhooks__2__Url"] = $"http://127.0.0.1:{FreePort()}/secret-c",
            ["Alerts__MaxRetries"] = "0",
        };

        var (exitCode, output, _) = await CommandLineTests.RunAsync(environment, CancellationToken.None, "alerts", "test");

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("slack (127.0.0.1 #", lines[0], StringComparison.Ordinal);
        Assert.Contains(": ok: 200", lines[0], StringComparison.Ordinal);
        Assert.Contains("REFUSED", lines[1], StringComparison.Ordinal);
        Assert.Contains("400", lines[1], StringComparison.Ordinal);
        Assert.Contains("FAILED", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("secret", output, StringComparison.Ordinal);
        Assert.Equal(2, Volatile.Read(ref _requests));
    }

    [Fact]
    public async Task Test_WithoutWebhooks_ExitsTwo()
    {
        var (exitCode, output, _) = await CommandLineTests.RunAsync(new Dictionary<string, string>(), CancellationToken.None, "alerts", "test");
        Assert.Equal(2, exitCode);
        Assert.Contains("no webhook configured", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_BadKind_ExitsTwoNamingTheSetting()
    {
        var environment = new Dictionary<string, string> { ["Alerts__Webhooks__0__Kind"] = "irc", ["Alerts__Webhooks__0__Url"] = _base };
        var (exitCode, output, _) = await CommandLineTests.RunAsync(environment, CancellationToken.None, "alerts", "test");
        Assert.Equal(2, exitCode);
        Assert.Contains("Alerts:Webhooks:0:Kind", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
