namespace KDumpCloud.Infra.Tests.Tools;

/// <summary>A fact that needs a tool on PATH (shellcheck, systemd-analyze); skipped, saying which, when it is absent.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (ToolRun.Find(tool) is null)
        {
            Skip = $"{tool} not found on PATH (.ci/run installs it from apt)";
        }
    }
}
