namespace KDumpCloud.Infra.Tests.Arm;

/// <summary>
/// A value only Azure knows at deployment (a reference to a deployed resource's property, an endpoint, an object
/// id), kept as the text of how it is obtained, so a test can still say which resource it comes from.
/// </summary>
internal sealed record Opaque(string Text)
{
    public override string ToString() => $"<{Text}>";
}
