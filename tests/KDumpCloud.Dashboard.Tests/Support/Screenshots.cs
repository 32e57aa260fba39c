namespace KDumpCloud.Dashboard.Tests.Support;

/// <summary>Where the browser tests save their screenshots: <c>KDUMPCLOUD_TEST_ARTIFACTS</c> (CI points it at
/// <c>.ci/out</c>), else <c>artifacts/</c> beside the test assembly.</summary>
public static class Screenshots
{
    public static string Directory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("KDUMPCLOUD_TEST_ARTIFACTS") is { Length: > 0 } chosen
                ? chosen
                : System.IO.Path.Combine(AppContext.BaseDirectory, "artifacts");
            var directory = System.IO.Path.Combine(root, "dashboard-screenshots");
            System.IO.Directory.CreateDirectory(directory);
            return directory;
        }
    }

    public static string Path(string name) => System.IO.Path.Combine(Directory, name + ".png");
}
