using System.Text.Json;

namespace KDumpCloud.Infra.Tests.Arm;

/// <summary>
/// A compiled template (Bicep's JSON output, language version 1: resources as an array) evaluated for one set of
/// parameter values, modules included: each <c>Microsoft.Resources/deployments</c> resource becomes a child
/// deployment with its parameters evaluated in this one, and <c>reference()</c> to it reads its outputs. Everything is
/// evaluated lazily and once, in whatever order references ask for it.
/// </summary>
internal sealed class ArmDeployment
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000a2b3";
    public const string TenantId = "00000000-0000-0000-0000-0000000c1d2e";
    public const string ResourceGroupName = "rg-kdumpcloud-test";
    public const string ResourceGroupLocation = "westeurope";
    public const string ResourceGroupId = $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroupName}";
    private const string DeploymentType = "Microsoft.Resources/deployments";

    private readonly Dictionary<string, object?> _template;
    private readonly Func<IReadOnlyDictionary<string, object?>> _givenParameters;
    private readonly Dictionary<string, object?> _parameters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _evaluating = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<Dictionary<string, ArmDeployment>> _children;
    private readonly Lazy<IReadOnlyList<ArmResource>> _resources;

    private ArmDeployment(string name, Dictionary<string, object?> template, Func<IReadOnlyDictionary<string, object?>> parameters)
    {
        if (template.ContainsKey("languageVersion"))
        {
            throw new NotSupportedException($"deployment {name}: language version 2 templates (symbolic resource names) are not read here");
        }

        Name = name;
        _template = template;
        _givenParameters = parameters;
        _children = new(Children);
        _resources = new(EvaluateResources);
    }

    public string Name { get; }

    /// <summary>The template JSON and the parameter values (<c>bicep build-params</c>'s parametersJson).</summary>
    public static ArmDeployment Load(string templateJson, string? parametersJson)
    {
        var template = (Dictionary<string, object?>)FromJson(JsonDocument.Parse(templateJson).RootElement)!;
        var given = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (parametersJson is not null)
        {
            var parameters = (Dictionary<string, object?>)FromJson(JsonDocument.Parse(parametersJson).RootElement)!;
            foreach (var (key, value) in (Dictionary<string, object?>)parameters["parameters"]!)
            {
                given[key] = ((Dictionary<string, object?>)value!)["value"];
            }
        }

        return new ArmDeployment("main", template, () => given);
    }

    /// <summary>Every resource this deployment and its modules create (conditions applied, loops expanded),
    /// not counting the module deployments themselves.</summary>
    public IEnumerable<ArmResource> AllResources() =>
        _resources.Value.Concat(_children.Value.Values.SelectMany(child => child.AllResources()));

    public object? Parameter(string name) => Memo(_parameters, "parameter", name, () =>
    {
        var declared = (Dictionary<string, object?>)Section("parameters")[name]!;
        return _givenParameters().TryGetValue(name, out var value)
            ? value
            : declared.TryGetValue("defaultValue", out var fallback)
                ? new ArmEvaluator(this, null).EvaluateJson(fallback)
                : throw new InvalidOperationException($"parameter {name} of deployment {Name} has no value");
    });

    public object? Variable(string name) => Memo(_variables, "variable", name,
        () => new ArmEvaluator(this, null).EvaluateJson(Section("variables")[name]));

    public object? Output(string name) =>
        new ArmEvaluator(this, null).EvaluateJson(((Dictionary<string, object?>)Section("outputs")[name]!)["value"]);

    /// <summary><c>reference(id)</c>: a module's outputs when the id is one of this deployment's modules, else an
    /// opaque value naming the resource.</summary>
    public object Reference(string id)
    {
        var prefix = $"{ResourceGroupId}/providers/{DeploymentType}/";
        if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && _children.Value.TryGetValue(id[prefix.Length..], out var child))
        {
            var outputs = Section("outputs", child._template).Keys.ToDictionary(key => key,
                key => (object?)new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["value"] = child.Output(key) },
                StringComparer.OrdinalIgnoreCase);
            return new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["outputs"] = outputs };
        }

        return new Opaque($"reference({ArmResource.Relative(id)})");
    }

    private Dictionary<string, ArmDeployment> Children()
    {
        var children = new Dictionary<string, ArmDeployment>(StringComparer.OrdinalIgnoreCase);
        foreach (var resource in RawResources().Where(resource => Type(resource) == DeploymentType))
        {
            if (resource.ContainsKey("copy"))
            {
                throw new NotSupportedException("module loops are not read here");
            }

            var outer = new ArmEvaluator(this, null);
            if (resource.TryGetValue("condition", out var condition) && outer.EvaluateJson(condition) is false)
            {
                continue;
            }

            var name = (string)outer.EvaluateJson(resource["name"])!;
            var properties = (Dictionary<string, object?>)resource["properties"]!;
            if (properties.TryGetValue("expressionEvaluationOptions", out var options)
                && !string.Equals((string?)((Dictionary<string, object?>)options!)["scope"], "inner", StringComparison.OrdinalIgnoreCase))
            {
                throw new NotSupportedException("only inner-scoped nested templates are read here");
            }

            var given = (Dictionary<string, object?>)properties["parameters"]!;
            var values = new Lazy<IReadOnlyDictionary<string, object?>>(() => given.ToDictionary(pair => pair.Key,
                pair => outer.EvaluateJson(((Dictionary<string, object?>)pair.Value!)["value"]), StringComparer.OrdinalIgnoreCase));
            children[name] = new ArmDeployment(name, (Dictionary<string, object?>)properties["template"]!, () => values.Value);
        }

        return children;
    }

    private IReadOnlyList<ArmResource> EvaluateResources()
    {
        var resources = new List<ArmResource>();
        foreach (var raw in RawResources().Where(resource => Type(resource) != DeploymentType))
        {
            var count = 1L;
            if (raw.TryGetValue("copy", out var copy))
            {
                count = (long)new ArmEvaluator(this, null).EvaluateJson(((Dictionary<string, object?>)copy!)["count"])!;
            }

            for (var i = 0; i < count; i++)
            {
                var evaluator = new ArmEvaluator(this, raw.ContainsKey("copy") ? i : null);
                if (raw.TryGetValue("condition", out var condition) && evaluator.EvaluateJson(condition) is false)
                {
                    continue;
                }

                var body = (Dictionary<string, object?>)evaluator.EvaluateJson(raw)!;
                var type = Type(raw);
                var name = (string)body["name"]!;
                var segments = type.Split('/');
                var names = name.Split('/');
                var relative = segments[0] + string.Concat(segments.Skip(1).Select((segment, k) => $"/{segment}/{names[k]}"));
                resources.Add(new ArmResource(type, name, relative, Name, body));
            }
        }

        return resources;
    }

    private IEnumerable<Dictionary<string, object?>> RawResources() =>
        _template.TryGetValue("resources", out var resources)
            ? ((List<object?>)resources!).Cast<Dictionary<string, object?>>()
            : [];

    private static string Type(Dictionary<string, object?> resource) => (string)resource["type"]!;

    private Dictionary<string, object?> Section(string name) => Section(name, _template);

    private static Dictionary<string, object?> Section(string name, Dictionary<string, object?> template) =>
        template.TryGetValue(name, out var section) ? (Dictionary<string, object?>)section! : new(StringComparer.OrdinalIgnoreCase);

    private object? Memo(Dictionary<string, object?> cache, string kind, string name, Func<object?> evaluate)
    {
        if (cache.TryGetValue(name, out var value))
        {
            return value;
        }

        if (!_evaluating.Add(kind + ":" + name))
        {
            throw new InvalidOperationException($"{kind} {name} of deployment {Name} refers to itself");
        }

        value = evaluate();
        cache[name] = value;
        _evaluating.Remove(kind + ":" + name);
        return value;
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(property => property.Name, property => FromJson(property.Value),
            StringComparer.OrdinalIgnoreCase),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var number) ? number : throw new NotSupportedException("non-integer " + element),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
