using KDumpCloud.Dashboard.Web;
using KDumpCloud.Infra.Tests.Arm;
using KDumpCloud.Infra.Tests.Code;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Relay.Upload;

namespace KDumpCloud.Infra.Tests;

/// <summary>
/// The settings bicep/ gives the Function App and the dashboard are exactly those their code reads, and the names in
/// them (container, queues, tables, topic) are resources the template creates where the settings point. The code side comes from the
/// code: the queue triggers' attributes, and the keys Program.cs's start-up code asks its configuration for; the Bicep
/// side from <c>bicep build-params</c>'s compiled template, evaluated.
/// </summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class SettingsDriftTests(CompiledTemplates templates)
{
    /// <summary>
    /// Settings for the Functions platform, not for KDumpCloud's code, each with why it is there. Every other setting
    /// must be one the code reads.
    /// </summary>
    private static readonly Dictionary<string, string> PlatformSettings = new(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage__credential"] = "the host's own storage with the managed identity, not a key",
        ["AzureWebJobsStorage__clientId"] = "which identity: the user-assigned one",
        ["AzureWebJobsStorage__blobServiceUri"] = "host locks and keys in the host account",
        ["AzureWebJobsStorage__tableServiceUri"] = "host diagnostic events in the host account",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "where the host's and the worker's telemetry goes (the worker's OpenTelemetry reads it too)",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "telemetry sent with the identity (local auth is off)",
    };

    public static TheoryData<string> Variants() =>
        ["main.bicepparam (relay, webhook)", "main.bicepparam (bare)", "env/lab.bicepparam", "env/dev.bicepparam"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Function_settings_are_exactly_the_keys_its_code_reads(string variant)
    {
        var deployment = templates.All[variant];
        var settings = deployment.FunctionApp().AppSettings();
        var codeSettings = settings.Keys.Where(name => !PlatformSettings.ContainsKey(name)).ToList();
        var read = FunctionCode.KeysRead(AsConfiguration(settings));

        // Nothing set that the code never reads (a typo, a setting left over)...
        var unread = codeSettings.Where(name => !read.Contains(ConfigKey(name))).ToList();
        Assert.True(unread.Count == 0, $"set but never read by the code: {string.Join(", ", unread)}");
        // ...and everything set that the code needs: the identity-based connection (every key it reads under the
        // sections of KDumpStorageOptions and ServiceBusConnectionOptions but the connection-string forms), every
        // resource name of AzureIngestOptions, and with a webhook the first webhook's kind and URL and, with a
        // dashboard, the address its alerts link to.
        var alerts = !string.IsNullOrEmpty((string?)deployment.Parameter("alertWebhookKind"));
        var needed = read.Where(key => IsUnder(key, KDumpStorageOptions.SectionName) || IsUnder(key, ServiceBusConnectionOptions.SectionName))
            .Where(key => !IsConnectionStringForm(key))
            .Concat(typeof(AzureIngestOptions).GetProperties().Where(property => property.PropertyType == typeof(string))
                .Select(property => $"{AzureIngestOptions.SectionName}:{property.Name}"))
            .Concat(alerts ? ["Alerts:Webhooks:0:Kind", "Alerts:Webhooks:0:Url"] : [])
            .Concat(alerts && deployment.DashboardApp() is not null ? [AlertServiceCollectionExtensions.DashboardUrlKey] : [])
            .Select(key => key.Replace(":", "__", StringComparison.Ordinal))
            .Order(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(needed, codeSettings.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.All(PlatformSettings.Keys, name => Assert.Contains(name, settings.Keys));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void No_setting_is_a_connection_string_or_holds_a_key(string variant)
    {
        var settings = templates.All[variant].FunctionApp().AppSettings();

        foreach (var section in new[] { KDumpStorageOptions.SectionName, ServiceBusConnectionOptions.SectionName, "AzureWebJobsStorage" })
        {
            Assert.DoesNotContain(section, settings.Keys);
            Assert.DoesNotContain($"{section}__connectionString", settings.Keys, StringComparer.OrdinalIgnoreCase);
        }

        Assert.All(settings.Values.Select(ArmEvaluator.Text), value =>
        {
            Assert.DoesNotContain("AccountKey=", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys", value, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(KDumpStorageOptions.ManagedIdentity, settings["KDumpStorage__credential"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
    }

    [Fact]
    public void Queue_triggers_listen_on_queues_the_template_creates_in_the_account_their_connection_names()
    {
        var deployment = templates.Full;
        var settings = deployment.FunctionApp().AppSettings();
        var triggers = FunctionCode.QueueTriggers();
        Assert.Equal(2, triggers.Count);

        foreach (var trigger in triggers)
        {
            // The trigger's connection is the KDumpStorage section, identity-based: the host needs its queue endpoint.
            Assert.Equal(KDumpStorageOptions.SectionName, trigger.Connection);
            var queue = Assert.Single(deployment.OfType(TemplateQueries.Queue), queue => queue.ShortName == trigger.Queue);
            var account = Assert.Single(deployment.OfType(TemplateQueries.StorageAccount), account => account.Name == TemplateQueries.AccountOf(queue));
            Assert.True(TemplateQueries.ComesFrom(settings[$"{trigger.Connection}__queueServiceUri"], account),
                $"{trigger.Function}: {trigger.Connection}__queueServiceUri is {settings[$"{trigger.Connection}__queueServiceUri"]}, not {account.Name}'s queue endpoint");
        }

        // The poison function listens on the trigger's own poison queue of the ingest queue.
        var ingest = Assert.Single(triggers, trigger => !trigger.Queue.EndsWith("-poison", StringComparison.Ordinal));
        Assert.Contains(triggers, trigger => trigger.Queue == ingest.Queue + "-poison");
    }

    [Fact]
    public void Names_in_the_settings_are_resources_of_the_accounts_and_namespace_the_settings_point_to()
    {
        var deployment = templates.Full;
        var settings = deployment.FunctionApp().AppSettings();
        var dataAccount = AccountBehind(deployment, settings["KDumpStorage__blobServiceUri"]);
        Assert.True(TemplateQueries.ComesFrom(settings["KDumpStorage__tableServiceUri"], dataAccount));

        var container = Assert.Single(deployment.OfType(TemplateQueries.Container), c => c.ShortName == (string?)settings["Ingest__Azure__DumpContainer"]);
        Assert.Equal(dataAccount.Name, TemplateQueries.AccountOf(container));
        foreach (var table in new[] { settings["Ingest__Azure__GroupsTable"], settings["Ingest__Azure__OccurrencesTable"], settings["Ingest__Azure__AlertsTable"] })
        {
            var created = Assert.Single(deployment.OfType(TemplateQueries.Table), t => t.ShortName == (string?)table);
            Assert.Equal(dataAccount.Name, TemplateQueries.AccountOf(created));
        }

        var topic = Assert.Single(deployment.OfType(TemplateQueries.Topic), t => t.ShortName == (string?)settings["Ingest__Azure__ReportTopic"]);
        var serviceBus = Assert.Single(deployment.AllResources(), r => r.Type == "Microsoft.ServiceBus/namespaces" && r.Name == topic.Name.Split('/')[0]);
        Assert.True(TemplateQueries.ComesFrom(settings["ServiceBus__fullyQualifiedNamespace"], serviceBus), $"{settings["ServiceBus__fullyQualifiedNamespace"]}");
        Assert.True(topic.At("properties", "requiresDuplicateDetection") is true, "duplicate detection on the topic");

        // The host's storage is another account, which holds the deployment container.
        var hostAccount = AccountBehind(deployment, settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.NotEqual(dataAccount.Name, hostAccount.Name);
        var deploymentStorage = ArmEvaluator.Text(deployment.FunctionApp().At("properties", "functionAppConfig", "deployment", "storage", "value"));
        Assert.StartsWith($"<reference({hostAccount.RelativeId}).primaryEndpoints.blob>", deploymentStorage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Names_the_code_defaults_to_are_the_names_the_template_creates()
    {
        var deployment = templates.Full;
        var settings = deployment.FunctionApp().AppSettings();
        var azure = new AzureIngestOptions();
        var upload = new UploadOptions();
        var ingestQueue = Assert.Single(FunctionCode.QueueTriggers(), t => !t.Queue.EndsWith("-poison", StringComparison.Ordinal)).Queue;

        Assert.Equal(azure.DumpContainer, settings["Ingest__Azure__DumpContainer"]);
        Assert.Equal(azure.GroupsTable, settings["Ingest__Azure__GroupsTable"]);
        Assert.Equal(azure.OccurrencesTable, settings["Ingest__Azure__OccurrencesTable"]);
        Assert.Equal(azure.AlertsTable, settings["Ingest__Azure__AlertsTable"]);
        Assert.Equal(azure.ReportTopic, settings["Ingest__Azure__ReportTopic"]);
        // The relay, configured with the template's outputs or its own defaults, uploads where the Function reads.
        Assert.Equal(upload.Container, deployment.Output("dumpContainerName"));
        Assert.Equal(upload.Queue, deployment.Output("ingestQueueName"));
        Assert.Equal(ingestQueue, upload.Queue);
        Assert.Contains(deployment.OfType(TemplateQueries.Container), c => c.ShortName == upload.Container);
    }

    [Fact]
    public void Every_client_id_setting_is_the_identity_the_app_runs_as()
    {
        var deployment = templates.Full;
        var site = deployment.FunctionApp();
        var settings = site.AppSettings();
        var identities = (Dictionary<string, object?>)site.At("identity", "userAssignedIdentities")!;
        var identityId = ArmResource.Relative(Assert.Single(identities.Keys));
        var identity = Assert.Single(deployment.OfType(TemplateQueries.Identity), i => i.RelativeId == identityId);

        foreach (var name in settings.Keys.Where(name => name.EndsWith("__clientId", StringComparison.Ordinal)))
        {
            Assert.Equal($"<reference({identity.RelativeId}).clientId>", ArmEvaluator.Text(settings[name]));
        }

        Assert.Equal(identityId, ArmResource.Relative((string)site.At("properties", "keyVaultReferenceIdentity")!));
        Assert.Equal("dotnet-isolated", site.At("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("10.0", site.At("properties", "functionAppConfig", "runtime", "version"));
    }

    [Fact]
    public void Webhook_url_is_a_key_vault_reference_to_the_secret_the_template_stores()
    {
        var full = templates.Full.FunctionApp().AppSettings();
        var secret = templates.Full.Single(TemplateQueries.Secret);
        var vault = templates.Full.Single(TemplateQueries.Vault);

        Assert.Equal(CompiledTemplates.WebhookKind, full["Alerts__Webhooks__0__Kind"]);
        Assert.Equal($"@Microsoft.KeyVault(VaultName={vault.Name};SecretName={secret.ShortName})", full["Alerts__Webhooks__0__Url"]);
        Assert.Equal($"{vault.Name}/{secret.ShortName}", secret.Name);

        // Without a webhook kind there is no alert setting, and without a URL no secret is written (nor emptied).
        Assert.DoesNotContain(templates.Bare.FunctionApp().AppSettings().Keys, name => name.StartsWith("Alerts__", StringComparison.Ordinal));
        Assert.Empty(templates.Bare.OfType(TemplateQueries.Secret));
    }

    public static TheoryData<string> VariantsWithADashboard() => ["main.bicepparam (relay, webhook)", "env/lab.bicepparam"];

    [Theory]
    [MemberData(nameof(VariantsWithADashboard))]
    public void Dashboard_settings_are_exactly_the_keys_its_code_reads(string variant)
    {
        var settings = Assert.IsType<ArmResource>(templates.All[variant].DashboardApp()).AppSettings();
        var read = HostCode.KeysRead(AsConfiguration(settings), (services, configuration) => services.AddDashboardWeb(configuration));

        var unread = settings.Keys.Where(name => !read.Contains(ConfigKey(name))).ToList();
        Assert.True(unread.Count == 0, $"set but never read by the dashboard's code: {string.Join(", ", unread)}");
        // It reads blobs and tables with its identity (no queue: it ingests nothing), and the names of the dumps
        // container and the two crash tables.
        var needed = read.Where(key => IsUnder(key, KDumpStorageOptions.SectionName) && !IsConnectionStringForm(key))
            .Where(key => !key.EndsWith(":queueServiceUri", StringComparison.OrdinalIgnoreCase))
            .Concat([$"{AzureIngestOptions.SectionName}:{nameof(AzureIngestOptions.DumpContainer)}",
                $"{AzureIngestOptions.SectionName}:{nameof(AzureIngestOptions.GroupsTable)}",
                $"{AzureIngestOptions.SectionName}:{nameof(AzureIngestOptions.OccurrencesTable)}"])
            .Select(key => key.Replace(":", "__", StringComparison.Ordinal))
            .Order(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(needed, settings.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(KDumpStorageOptions.ManagedIdentity, settings["KDumpStorage__credential"]);
        Assert.All(settings.Values.Select(ArmEvaluator.Text), value => Assert.DoesNotContain("AccountKey=", value, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Dashboard_reads_the_functions_data_as_its_own_identity_behind_entra_sign_in_and_alerts_link_to_it()
    {
        var deployment = templates.Full;
        var site = Assert.IsType<ArmResource>(deployment.DashboardApp());
        var settings = site.AppSettings();
        var function = deployment.FunctionApp().AppSettings();

        // The same account, container and tables the Function writes.
        var dataAccount = AccountBehind(deployment, function["KDumpStorage__blobServiceUri"]);
        Assert.True(TemplateQueries.ComesFrom(settings["KDumpStorage__blobServiceUri"], dataAccount));
        Assert.True(TemplateQueries.ComesFrom(settings["KDumpStorage__tableServiceUri"], dataAccount));
        foreach (var name in new[] { "Ingest__Azure__DumpContainer", "Ingest__Azure__GroupsTable", "Ingest__Azure__OccurrencesTable" })
        {
            Assert.Equal(function[name], settings[name]);
        }

        // Its own identity, not the Function's.
        var identity = TemplateQueries.IdentityOf(site);
        Assert.NotEqual(TemplateQueries.IdentityOf(deployment.FunctionApp()), identity);
        Assert.Equal($"<reference({identity}).clientId>", ArmEvaluator.Text(settings["KDumpStorage__clientId"]));

        // Every request signs in with Entra ID first, through the app registration given.
        var auth = Assert.Single(deployment.AllResources(), r => r.Type == "Microsoft.Web/sites/config" && r.Name == $"{site.Name}/authsettingsV2");
        Assert.Equal(true, auth.At("properties", "globalValidation", "requireAuthentication"));
        Assert.Equal("RedirectToLoginPage", auth.At("properties", "globalValidation", "unauthenticatedClientAction"));
        Assert.Equal(CompiledTemplates.DashboardSignInClientId,
            auth.At("properties", "identityProviders", "azureActiveDirectory", "registration", "clientId"));
        Assert.Equal(true, site.At("properties", "httpsOnly"));

        // The Function's alerts link to the dashboard's group pages, at the address the template outputs.
        Assert.Equal($"https://{site.Name}.azurewebsites.net", function["Dashboard__PublicUrl"]);
        Assert.Equal(function["Dashboard__PublicUrl"], deployment.Output("dashboardUrl"));
        Assert.Equal(site.Name, deployment.Output("dashboardAppName"));
        Assert.Equal("", templates.Bare.Output("dashboardAppName"));
    }

    private static IEnumerable<KeyValuePair<string, string?>> AsConfiguration(Dictionary<string, object?> settings) =>
        settings.Select(pair => KeyValuePair.Create(ConfigKey(pair.Key), (string?)ArmEvaluator.Text(pair.Value)));

    private static ArmResource AccountBehind(ArmDeployment deployment, object? endpoint) =>
        Assert.Single(deployment.OfType(TemplateQueries.StorageAccount), account => TemplateQueries.ComesFrom(endpoint, account));

    private static string ConfigKey(string setting) => setting.Replace("__", ":", StringComparison.Ordinal);

    private static bool IsUnder(string key, string section) =>
        key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection-string forms of a connection section (its own value, or its connectionString key).</summary>
    private static bool IsConnectionStringForm(string key) =>
        key.EndsWith(":connectionString", StringComparison.OrdinalIgnoreCase);
}
