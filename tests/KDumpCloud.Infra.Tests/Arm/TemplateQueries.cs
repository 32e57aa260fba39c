namespace KDumpCloud.Infra.Tests.Arm;

/// <summary>Finding things in an evaluated deployment.</summary>
internal static class TemplateQueries
{
    public const string StorageAccount = "Microsoft.Storage/storageAccounts";
    public const string Container = "Microsoft.Storage/storageAccounts/blobServices/containers";
    public const string Queue = "Microsoft.Storage/storageAccounts/queueServices/queues";
    public const string Table = "Microsoft.Storage/storageAccounts/tableServices/tables";
    public const string Topic = "Microsoft.ServiceBus/namespaces/topics";
    public const string Vault = "Microsoft.KeyVault/vaults";
    public const string Secret = "Microsoft.KeyVault/vaults/secrets";
    public const string Insights = "Microsoft.Insights/components";
    public const string Site = "Microsoft.Web/sites";
    public const string Identity = "Microsoft.ManagedIdentity/userAssignedIdentities";
    public const string RoleAssignment = "Microsoft.Authorization/roleAssignments";

    public static IEnumerable<ArmResource> OfType(this ArmDeployment deployment, string type) =>
        deployment.AllResources().Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase));

    public static ArmResource Single(this ArmDeployment deployment, string type) => Assert.Single(deployment.OfType(type));

    /// <summary>The one Function App (kind functionapp).</summary>
    public static ArmResource FunctionApp(this ArmDeployment deployment) => Assert.Single(deployment.OfType(Site),
        site => ((string?)site.At("kind"))?.Contains("functionapp", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The dashboard app (the site that is not a Function App), when the deployment has one.</summary>
    public static ArmResource? DashboardApp(this ArmDeployment deployment) => deployment.OfType(Site)
        .SingleOrDefault(site => ((string?)site.At("kind"))?.Contains("functionapp", StringComparison.OrdinalIgnoreCase) != true);

    /// <summary>The relative id of the one user-assigned identity a site runs as.</summary>
    public static string IdentityOf(ArmResource site) =>
        ArmResource.Relative(Assert.Single(((Dictionary<string, object?>)site.At("identity", "userAssignedIdentities")!).Keys));

    /// <summary>A site's settings as name → value, each name once.</summary>
    public static Dictionary<string, object?> AppSettings(this ArmResource site)
    {
        var list = (List<object?>)site.At("properties", "siteConfig", "appSettings")!;
        var settings = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (Dictionary<string, object?> setting in list.Cast<Dictionary<string, object?>>())
        {
            Assert.True(settings.TryAdd((string)setting["name"]!, setting["value"]), $"setting {setting["name"]} twice");
        }

        return settings;
    }

    /// <summary>The storage account (by name) a resource such as a container or queue belongs to.</summary>
    public static string AccountOf(ArmResource resource) => resource.Name.Split('/')[0];

    /// <summary>The resource whose reference an opaque value was read from, e.g. the account behind an endpoint.</summary>
    public static bool ComesFrom(object? value, ArmResource resource) =>
        value is Opaque opaque && opaque.Text.Contains($"reference({resource.RelativeId})", StringComparison.OrdinalIgnoreCase);
}
