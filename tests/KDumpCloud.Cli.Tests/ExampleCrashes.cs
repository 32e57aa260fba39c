using KDumpCloud.Cli.Send;

namespace KDumpCloud.Cli.Tests;

/// <summary>The example panic and two variations of it, as text: the same crash on another boot, and another crash.</summary>
internal static class ExampleCrashes
{
    public static string Example => ExamplePanic.Text;

    /// <summary>Another boot of the example crash: other slide-independent noise (uptime), so other bytes.</summary>
    public static string AnotherBoot(string text) => text.Replace("48213950172640", "51002338104417", StringComparison.Ordinal);

    /// <summary>A different crash: a general protection fault in another made-up driver.</summary>
    public static string OtherCrash(string text) => text
        .Replace("type 14=page fault", "type 13=general protection", StringComparison.Ordinal)
        .Replace("LabSensorDriver", "BenchMotorController", StringComparison.Ordinal);
}
