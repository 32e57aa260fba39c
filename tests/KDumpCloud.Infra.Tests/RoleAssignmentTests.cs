using KDumpCloud.Infra.Tests.Arm;
using KDumpCloud.Infra.Tests.Code;
using KDumpCloud.Ingest.Azure;
using KDumpCloud.Relay.Upload;

namespace KDumpCloud.Infra.Tests;

/// <summary>
/// The role assignments in the compiled template are exactly the grants the code's operations need, each at the
/// narrowest scope that holds what it touches, and none broader. The grants are written down once below with the
/// operation that needs each; their scopes take the code's own names (trigger attributes, option defaults).
/// </summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed class RoleAssignmentTests(CompiledTemplates templates)
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string BlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string QueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    /// <summary>Roles no principal of KDumpCloud ever needs: Owner, Contributor, User Access Administrator.</summary>
    private static readonly string[] BroadRoles =
    [
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    ];

    /// <summary>A role granted to a principal on a scope (a relative resource id), and why the code needs it.</summary>
    public sealed record Grant(string Principal, string Role, string Scope, string Reason)
    {
        public (string, string, string) Key => (Principal, Role, Scope.ToLowerInvariant());
    }

    public static TheoryData<string> Variants() =>
        ["main.bicepparam (relay, webhook)", "main.bicepparam (bare)", "env/lab.bicepparam", "env/dev.bicepparam"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Role_assignments_are_exactly_what_the_code_needs(string variant)
    {
        var deployment = templates.All[variant];
        var actual = Assignments(deployment).ToList();
        var expected = Needed(deployment).ToList();

        var missing = expected.Where(grant => !actual.Any(a => a.Key == grant.Key)).ToList();
        var extra = actual.Where(grant => !expected.Any(e => e.Key == grant.Key)).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"missing: {string.Join("; ", missing)}\nnot needed: {string.Join("; ", extra)}");
        Assert.Equal(actual.Count, actual.Select(grant => grant.Key).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void No_assignment_is_broad(string variant)
    {
        foreach (var grant in Assignments(templates.All[variant]))
        {
            Assert.DoesNotContain(grant.Role, BroadRoles);
            // Always a resource, never the resource group or the subscription.
            Assert.Contains('/', grant.Scope);
            Assert.DoesNotContain("resourceGroups", grant.Scope, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void The_relay_gets_its_two_roles_only_when_its_principal_is_given()
    {
        Assert.Equal(2, Assignments(templates.Full).Count(grant => grant.Principal == "relay"));
        Assert.DoesNotContain(Assignments(templates.Bare), grant => grant.Principal == "relay");
        Assert.All(templates.Full.OfType(TemplateQueries.RoleAssignment), assignment =>
            Assert.Equal("ServicePrincipal", assignment.At("properties", "principalType")));
    }

    [Fact]
    public void The_dashboard_and_its_three_roles_exist_only_when_its_sign_in_app_is_given()
    {
        Assert.NotNull(templates.Full.DashboardApp());
        Assert.Equal(3, Assignments(templates.Full).Count(grant => grant.Principal == "dashboard"));
        Assert.Null(templates.Bare.DashboardApp());
        Assert.DoesNotContain(Assignments(templates.Bare), grant => grant.Principal == "dashboard");
        Assert.Null(templates.Examples["env/dev.bicepparam"].DashboardApp());
    }

    /// <summary>What the code does, and so the roles it needs. Names come from the code; which account, vault or
    /// component holds them comes from the template (there is one of each, the data account being the one with the
    /// dumps container).</summary>
    private static IEnumerable<Grant> Needed(ArmDeployment deployment)
    {
        var azure = new AzureIngestOptions();
        var upload = new UploadOptions();
        var triggers = FunctionCode.QueueTriggers();
        var dumps = Assert.Single(deployment.OfType(TemplateQueries.Container), c => c.ShortName == azure.DumpContainer);
        var data = TemplateQueries.AccountOf(dumps);
        var host = Assert.Single(deployment.OfType(TemplateQueries.StorageAccount), account => account.Name != data).Name;
        var topic = Assert.Single(deployment.OfType(TemplateQueries.Topic), t => t.ShortName == azure.ReportTopic);
        var vault = deployment.Single(TemplateQueries.Vault);
        var insights = deployment.Single(TemplateQueries.Insights);
        string Container(string name) => $"{TemplateQueries.StorageAccount}/{data}/blobServices/default/containers/{name}";
        string Queue(string name) => $"{TemplateQueries.StorageAccount}/{data}/queueServices/default/queues/{name}";
        string Table(string name) => $"{TemplateQueries.StorageAccount}/{data}/tableServices/default/tables/{name}";

        yield return new("function", BlobDataReader, Container(azure.DumpContainer), "BlobDumpReader only downloads dumps");
        foreach (var trigger in triggers)
        {
            yield return new("function", QueueDataContributor, Queue(trigger.Queue),
                $"{trigger.Function}'s trigger reads, hides (updates) and deletes messages and moves poison ones; Reader + Message Processor is not enough");
        }

        yield return new("function", TableDataContributor, Table(azure.GroupsTable), "TableCrashStore inserts and updates crash groups");
        yield return new("function", TableDataContributor, Table(azure.OccurrencesTable), "TableCrashStore inserts occurrences");
        yield return new("function", TableDataContributor, Table(azure.AlertsTable),
            "TableAlertOutbox records alerts with occurrences, records deliveries and purges old rows");
        yield return new("function", ServiceBusDataSender, topic.RelativeId, "ServiceBusReportPublisher sends reports, receives nothing");
        yield return new("function", KeyVaultSecretsUser, vault.RelativeId,
            "Key Vault references in its settings (webhook URLs); the vault holds nothing else");
        yield return new("function", BlobDataOwner, $"{TemplateQueries.StorageAccount}/{host}",
            "the host's blobs (locks, keys) and the Flex deployment container, which requires Owner");
        yield return new("function", TableDataContributor, $"{TemplateQueries.StorageAccount}/{host}", "the host's diagnostic events table");
        yield return new("function", MonitoringMetricsPublisher, insights.RelativeId, "telemetry with Entra authentication (local auth off)");

        if (deployment.DashboardApp() is not null)
        {
            yield return new("dashboard", BlobDataReader, Container(azure.DumpContainer), "a dump's download link streams the blob through the app");
            yield return new("dashboard", TableDataContributor, Table(azure.GroupsTable),
                "reads groups; resolve, ignore, reopen and merge replace group rows");
            yield return new("dashboard", TableDataContributor, Table(azure.OccurrencesTable),
                "reads occurrences; TableCrashStore creates its tables when missing before a change, which Reader is refused");
        }

        if (!string.IsNullOrEmpty((string?)deployment.Parameter("relayPrincipalId")))
        {
            yield return new("relay", BlobDataContributor, Container(upload.Container),
                "DumpUploader stages and commits blocks and reads a blob's properties");
            yield return new("relay", QueueDataMessageSender, Queue(upload.Queue), "one ingest message per committed dump");
        }
    }

    /// <summary>The template's role assignments, principals named: the identity the Function App or the dashboard
    /// runs as, or the relay's principal (the parameter); anything else fails.</summary>
    private static IEnumerable<Grant> Assignments(ArmDeployment deployment)
    {
        static string PrincipalOf(ArmResource site) => $"<reference({TemplateQueries.IdentityOf(site)}).principalId>";
        var functionPrincipal = PrincipalOf(deployment.FunctionApp());
        var dashboardPrincipal = deployment.DashboardApp() is { } dashboard ? PrincipalOf(dashboard) : null;
        var relay = (string?)deployment.Parameter("relayPrincipalId");
        const string definitions = $"/subscriptions/{ArmDeployment.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/";

        foreach (var assignment in deployment.OfType(TemplateQueries.RoleAssignment))
        {
            var principal = ArmEvaluator.Text(assignment.At("properties", "principalId"));
            var name = principal == functionPrincipal ? "function"
                : principal == dashboardPrincipal ? "dashboard"
                : !string.IsNullOrEmpty(relay) && principal == relay ? "relay"
                : throw new InvalidOperationException($"role assignment {assignment.Name} for an unknown principal {principal}");
            var role = (string)assignment.At("properties", "roleDefinitionId")!;
            Assert.StartsWith(definitions, role, StringComparison.Ordinal);
            yield return new(name, role[definitions.Length..], ArmResource.Relative((string)assignment.At("scope")!), "");
        }
    }
}
