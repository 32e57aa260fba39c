using KDumpCloud.Infra.Tests.Arm;

namespace KDumpCloud.Infra.Tests;

/// <summary>The ARM evaluator the drift and role tests stand on: the functions Bicep emits, evaluated as ARM
/// does, and bounded on hostile input.</summary>
public sealed class ArmEvaluatorTests
{
    private const string Template = """
        {
          "parameters": { "name": { "type": "string", "defaultValue": "kdc" }, "items": { "type": "array" } },
          "variables": { "prefix": "[format('{0}-{1}', parameters('name'), 'x''y')]" },
          "resources": [
            { "type": "Microsoft.Storage/storageAccounts/queueServices/queues", "apiVersion": "1",
              "copy": { "name": "q", "count": "[length(parameters('items'))]" },
              "name": "[format('{0}/default/{1}', variables('prefix'), parameters('items')[copyIndex()])]" },
            { "type": "Microsoft.KeyVault/vaults", "apiVersion": "1", "condition": "[not(empty(''))]",
              "name": "[concat('kv', take(uniqueString('a'), 4))]", "properties": { "uri": "[reference(resourceId('Microsoft.KeyVault/vaults', 'kv')).vaultUri]" } },
            { "type": "Microsoft.KeyVault/vaults", "apiVersion": "1", "condition": "[empty('')]", "name": "kept" }
          ],
          "outputs": { "first": { "type": "string", "value": "[split('a/b', '/')[1]]" } }
        }
        """;

    [Fact]
    public void Loops_conditions_formats_and_references_evaluate_as_ARM_does()
    {
        var deployment = ArmDeployment.Load(Template, """{ "parameters": { "items": { "value": ["in", "out"] } } }""");
        var resources = deployment.AllResources().ToList();

        Assert.Equal(["kdc-x'y/default/in", "kdc-x'y/default/out", "kept"], resources.Select(r => r.Name));
        Assert.Equal("Microsoft.Storage/storageAccounts/kdc-x'y/queueServices/default/queues/out", resources[1].RelativeId);
        Assert.Equal("b", deployment.Output("first"));
        Assert.Equal(new Opaque("reference(Microsoft.KeyVault/vaults/kv).vaultUri"),
            ArmDeployment.Load(Template.Replace("[not(empty(''))]", "[empty('')]", StringComparison.Ordinal),
                """{ "parameters": { "items": { "value": [] } } }""").AllResources().First().At("properties", "uri"));
    }

    [Theory]
    [InlineData("parameters('a'")]
    [InlineData("'unterminated")]
    [InlineData("f(1) g")]
    [InlineData("")]
    public void Malformed_expressions_are_refused(string text) =>
        Assert.Throws<FormatException>(() => ArmExpressionParser.Parse(text));

    [Fact]
    public void Deep_nesting_is_refused_not_followed()
    {
        var text = string.Concat(Enumerable.Repeat("f(", 100_000)) + string.Concat(Enumerable.Repeat(")", 100_000));

        Assert.Throws<FormatException>(() => ArmExpressionParser.Parse(text));
    }

    [Fact]
    public void An_unknown_function_fails_instead_of_being_guessed()
    {
        var deployment = ArmDeployment.Load("""{ "outputs": { "x": { "type": "string", "value": "[newFunction('a')]" } } }""", null);

        Assert.Throws<NotSupportedException>(() => deployment.Output("x"));
    }
}
