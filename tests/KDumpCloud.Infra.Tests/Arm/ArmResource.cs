namespace KDumpCloud.Infra.Tests.Arm;

/// <summary>A resource of a compiled template after evaluation: its type, full name (parent names included, as
/// <c>account/default/dumps</c>), its id relative to the resource group (<c>Type/name/...</c>), the deployment
/// (module) that declares it, and its evaluated body.</summary>
internal sealed record ArmResource(string Type, string Name, string RelativeId, string Deployment, Dictionary<string, object?> Body)
{
    /// <summary>The last segment of the name: the container, queue, table or topic itself.</summary>
    public string ShortName => Name[(Name.LastIndexOf('/') + 1)..];

    /// <summary>A value at a path of property names ("properties", "siteConfig", ...), or null where it is absent.</summary>
    public object? At(params string[] path)
    {
        object? current = Body;
        foreach (var name in path)
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>A resource id, absolute or relative, in the relative form (<c>Provider/type/name/...</c>).</summary>
    public static string Relative(string id)
    {
        const string providers = "/providers/";
        if (!id.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
        {
            return id;
        }

        var at = id.IndexOf(providers, StringComparison.OrdinalIgnoreCase);
        return at < 0 ? id : id[(at + providers.Length)..];
    }
}
