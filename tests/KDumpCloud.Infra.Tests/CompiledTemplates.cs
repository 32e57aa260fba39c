using KDumpCloud.Infra.Tests.Arm;
using KDumpCloud.Infra.Tests.Tools;

namespace KDumpCloud.Infra.Tests;

/// <summary>
/// The templates compiled once for the drift and role tests, with the parameters files and the environment an
/// operator would give them: <see cref="Full"/> with a relay principal, a webhook and the dashboard's sign-in app,
/// <see cref="Bare"/> with none of them (main.bicepparam's defaults), and the example environments in bicep/env.
/// </summary>
public sealed class CompiledTemplates : IAsyncLifetime
{
    public const string RelayPrincipalId = "3f2b7c1e-0d4a-4e8b-9c61-5a7d2e9f0b13";
    public const string WebhookKind = "slack";
    public const string DashboardSignInClientId = "8d6a2c4e-1b3f-4a5d-9e7c-0f2b4d6a8c1e";

    private static readonly Dictionary<string, string?> NoVariables = new()
    {
        ["KDUMPCLOUD_RELAY_PRINCIPAL_ID"] = null,
        ["KDUMPCLOUD_ALERT_WEBHOOK_KIND"] = null,
        ["KDUMPCLOUD_ALERT_WEBHOOK_URL"] = null,
        ["KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID"] = null,
        ["AZURE_ENV_NAME"] = null,
        ["AZURE_LOCATION"] = null,
    };

    internal ArmDeployment Full { get; private set; } = null!;

    internal ArmDeployment Bare { get; private set; } = null!;

    internal IReadOnlyDictionary<string, ArmDeployment> Examples { get; private set; } = null!;

    /// <summary>Every compiled variant by name, for tests that hold for all of them.</summary>
    internal IReadOnlyDictionary<string, ArmDeployment> All => new Dictionary<string, ArmDeployment>(Examples)
    {
        ["main.bicepparam (relay, webhook)"] = Full,
        ["main.bicepparam (bare)"] = Bare,
    };

    public async Task InitializeAsync()
    {
        Full = await BicepCli.CompileAsync("main.bicepparam", new Dictionary<string, string?>(NoVariables)
        {
            ["KDUMPCLOUD_RELAY_PRINCIPAL_ID"] = RelayPrincipalId,
            ["KDUMPCLOUD_ALERT_WEBHOOK_KIND"] = WebhookKind,
            ["KDUMPCLOUD_ALERT_WEBHOOK_URL"] = "https://hooks.example.invalid/services/T0/B0/x",
            ["KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID"] = DashboardSignInClientId,
        });
        Bare = await BicepCli.CompileAsync("main.bicepparam", NoVariables);
        var examples = new Dictionary<string, ArmDeployment>();
        foreach (var file in BicepCli.SourceFiles().Where(file => file.StartsWith("env/", StringComparison.Ordinal)))
        {
            examples[file] = await BicepCli.CompileAsync(file, new Dictionary<string, string?>(NoVariables)
            {
                ["KDUMPCLOUD_RELAY_PRINCIPAL_ID"] = RelayPrincipalId,
                ["KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID"] = DashboardSignInClientId,
            });
        }

        Examples = examples;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class CompiledTemplatesCollection : ICollectionFixture<CompiledTemplates>
{
    public const string Name = "compiled templates";
}
