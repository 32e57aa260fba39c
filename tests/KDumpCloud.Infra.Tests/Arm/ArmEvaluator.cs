using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KDumpCloud.Infra.Tests.Arm;

/// <summary>
/// Evaluates ARM expressions the way Resource Manager would, for the functions the Bicep compiler emits for this
/// repository's templates. What only Azure knows (a deployed resource's properties) comes back as an
/// <see cref="Opaque"/> naming where it comes from. A function it does not know fails the evaluation, so a template
/// that starts using one is noticed rather than silently misread.
/// Values: string, long, bool, null, <see cref="List{T}"/> of values, <see cref="Dictionary{TKey,TValue}"/> (keys
/// case-insensitive, as ARM's are) and <see cref="Opaque"/>.
/// </summary>
internal sealed class ArmEvaluator(ArmDeployment deployment, int? copyIndex)
{
    public object? EvaluateJson(object? json) => json switch
    {
        string text when text.StartsWith("[[", StringComparison.Ordinal) => text[1..],
        string text when text.StartsWith('[') && text.EndsWith(']') => Evaluate(ArmExpressionParser.Parse(text[1..^1])),
        Dictionary<string, object?> map => map.ToDictionary(pair => Text(EvaluateJson(pair.Key)), pair => EvaluateJson(pair.Value),
            StringComparer.OrdinalIgnoreCase),
        List<object?> list => list.Select(EvaluateJson).ToList(),
        _ => json,
    };

    public object? Evaluate(ArmNode node) => node switch
    {
        ArmNode.Literal literal => literal.Value,
        ArmNode.Property property => Member(Evaluate(property.Target), property.Name),
        ArmNode.Index index => Item(Evaluate(index.Target), Evaluate(index.Key)),
        ArmNode.Call call => Call(call.Name, call.Arguments.Select(Evaluate).ToList()),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    /// <summary>How a value reads inside a string: opaque values as their origin in angle brackets.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        string text => text,
        long number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "True" : "False",
        Opaque opaque => opaque.ToString(),
        _ => throw new NotSupportedException($"a {value.GetType().Name} used as a string"),
    };

    private static object? Member(object? target, string name) => target switch
    {
        Opaque opaque => new Opaque($"{opaque.Text}.{name}"),
        Dictionary<string, object?> map => map.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"no property '{name}' in an object with {string.Join(", ", map.Keys)}"),
        _ => throw new NotSupportedException($"property '{name}' of a {target?.GetType().Name ?? "null"}"),
    };

    private static object? Item(object? target, object? key) => (target, key) switch
    {
        (Opaque opaque, _) => new Opaque($"{opaque.Text}[{Text(key)}]"),
        (List<object?> list, long i) => list[checked((int)i)],
        (Dictionary<string, object?> map, string name) => Member(map, name),
        _ => throw new NotSupportedException($"indexing a {target?.GetType().Name ?? "null"} with {key}"),
    };

    private object? Call(string name, List<object?> args)
    {
        // Whatever only Azure can compute from an opaque input stays opaque, with the call as its origin.
        if (!KeepsOpaqueInputs.Contains(name) && args.Any(arg => arg is Opaque))
        {
            return new Opaque($"{name}({string.Join(", ", args.Select(Text))})");
        }

        return name.ToLowerInvariant() switch
        {
            "parameters" => deployment.Parameter((string)args[0]!),
            "variables" => deployment.Variable((string)args[0]!),
            "copyindex" => (copyIndex ?? throw new InvalidOperationException("copyIndex() outside a copy loop"))
                + (args.LastOrDefault() is long offset ? offset : 0),
            "format" => Format((string)args[0]!, args.Skip(1)),
            "concat" => args.All(arg => arg is List<object?>)
                ? args.Cast<List<object?>>().SelectMany(list => list).ToList()
                : string.Concat(args.Select(Text)),
            "string" => Text(args[0]),
            "tolower" => ((string)args[0]!).ToLowerInvariant(),
            "toupper" => ((string)args[0]!).ToUpperInvariant(),
            "replace" => ((string)args[0]!).Replace((string)args[1]!, (string)args[2]!, StringComparison.Ordinal),
            "take" => args[0] is string text
                ? text[..(int)Math.Min((long)args[1]!, text.Length)]
                : ((List<object?>)args[0]!).Take(checked((int)(long)args[1]!)).ToList(),
            "split" => ((string)args[0]!).Split((string)args[1]!).Cast<object?>().ToList(),
            "length" => args[0] switch
            {
                string text => (long)text.Length,
                List<object?> list => list.Count,
                Dictionary<string, object?> map => map.Count,
                _ => throw new NotSupportedException("length of " + args[0]),
            },
            "empty" => args[0] switch
            {
                null => true,
                string text => text.Length == 0,
                List<object?> list => list.Count == 0,
                Dictionary<string, object?> map => map.Count == 0,
                _ => false,
            },
            "not" => !(bool)args[0]!,
            "and" => args.All(arg => (bool)arg!),
            "or" => args.Any(arg => (bool)arg!),
            "equals" => Equals(args[0], args[1]),
            "if" => (bool)args[0]! ? args[1] : args[2],
            "coalesce" => args.FirstOrDefault(arg => arg is not null),
            "createarray" => args.ToList(),
            "createobject" => Enumerable.Range(0, args.Count / 2)
                .ToDictionary(i => (string)args[2 * i]!, i => args[(2 * i) + 1], StringComparer.OrdinalIgnoreCase),
            "union" => Union(args),
            "uniquestring" => UniqueString(args),
            "guid" => Guid(args),
            "resourcegroup" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["id"] = ArmDeployment.ResourceGroupId,
                ["name"] = ArmDeployment.ResourceGroupName,
                ["location"] = ArmDeployment.ResourceGroupLocation,
            },
            "subscription" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["id"] = $"/subscriptions/{ArmDeployment.SubscriptionId}",
                ["subscriptionId"] = ArmDeployment.SubscriptionId,
                ["tenantId"] = ArmDeployment.TenantId,
            },
            "tenant" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["tenantId"] = ArmDeployment.TenantId,
            },
            // The public cloud's values (AzureCloud), as ARM gives them there.
            "environment" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["name"] = "AzureCloud",
                ["authentication"] = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
                {
                    ["loginEndpoint"] = "https://login.microsoftonline.com/",
                },
            },
            "resourceid" => ArmDeployment.ResourceGroupId + "/providers/" + TypedPath(args),
            "subscriptionresourceid" => $"/subscriptions/{ArmDeployment.SubscriptionId}/providers/" + TypedPath(args),
            "extensionresourceid" => Text(args[0]) + "/providers/" + TypedPath(args.Skip(1).ToList()),
            "reference" => deployment.Reference(Text(args[0])),
            _ => throw new NotSupportedException($"ARM function {name}() is not known to this evaluator"),
        };
    }

    /// <summary>Functions that do something sensible with opaque inputs themselves.</summary>
    private static readonly HashSet<string> KeepsOpaqueInputs = new(StringComparer.OrdinalIgnoreCase)
    {
        "format", "concat", "string", "createArray", "createObject", "union", "if", "coalesce", "empty", "resourceId",
        "subscriptionResourceId", "extensionResourceId", "guid", "uniqueString", "reference", "equals",
    };

    private static string Format(string format, IEnumerable<object?> args) =>
        string.Format(CultureInfo.InvariantCulture, format, args.Select(Text).ToArray<object?>());

    private static object Union(List<object?> args)
    {
        if (args.All(arg => arg is List<object?>))
        {
            return args.Cast<List<object?>>().SelectMany(list => list).Distinct().ToList();
        }

        var merged = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var map in args.Cast<Dictionary<string, object?>>())
        {
            foreach (var (key, value) in map)
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    /// <summary>"Microsoft.Storage/storageAccounts/queueServices/queues", a, b, c → the provider path with names
    /// between the type segments.</summary>
    private static string TypedPath(IReadOnlyList<object?> args)
    {
        var type = ((string)args[0]!).Split('/');
        var names = args.Skip(1).Select(Text).ToArray();
        if (names.Length != type.Length - 1)
        {
            throw new FormatException($"{type.Length - 1} names expected for {args[0]}, got {names.Length}");
        }

        var path = new StringBuilder(type[0]);
        for (var i = 1; i < type.Length; i++)
        {
            path.Append('/').Append(type[i]).Append('/').Append(names[i - 1]);
        }

        return path.ToString();
    }

    // Deterministic stand-ins: Azure's own algorithms are not needed, only that equal inputs give equal outputs.
    private static string UniqueString(List<object?> args) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', args.Select(Text)))))[..13];

    private static string Guid(List<object?> args) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', args.Select(Text))))[..16]).ToString("D");
}
