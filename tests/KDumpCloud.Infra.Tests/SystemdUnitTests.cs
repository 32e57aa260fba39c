using System.Runtime.Versioning;
using KDumpCloud.Infra.Tests.Tools;

namespace KDumpCloud.Infra.Tests;

/// <summary>The relay's unit and its drop-ins pass <c>systemd-analyze verify</c> with no output, and keep the
/// hardening the README promises.</summary>
[SupportedOSPlatform("linux")]
public sealed class SystemdUnitTests
{
    private static string RelayDirectory => Path.Combine(Repository.Infra, "relay");

    private static string Unit => File.ReadAllText(Path.Combine(RelayDirectory, "kdumpcloud-relay.service"));

    [ToolFact("systemd-analyze")]
    public async Task Unit_and_drop_ins_verify_without_a_word()
    {
        // verify insists that ExecStart exists: a copy whose ExecStart is a stub, drop-ins beside it as systemd reads them.
        var directory = Directory.CreateTempSubdirectory("kdumpcloud-unit-");
        try
        {
            var stub = Path.Combine(directory.FullName, "kdumpcloud-relay");
            await File.WriteAllTextAsync(stub, "#!/bin/sh\n");
            File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var unit = Unit.Replace("ExecStart=/opt/kdumpcloud/relay/kdumpcloud-relay", "ExecStart=" + stub, StringComparison.Ordinal);
            Assert.NotEqual(Unit, unit);
            var unitPath = Path.Combine(directory.FullName, "kdumpcloud-relay.service");
            await File.WriteAllTextAsync(unitPath, unit);
            var dropIns = Directory.CreateDirectory(Path.Combine(directory.FullName, "kdumpcloud-relay.service.d"));
            var sources = Directory.GetFiles(Path.Combine(RelayDirectory, "kdumpcloud-relay.service.d"), "*.conf");
            Assert.Equal(3, sources.Length);
            foreach (var dropIn in sources)
            {
                File.Copy(dropIn, Path.Combine(dropIns.FullName, Path.GetFileName(dropIn)));
            }

            var run = await ToolRun.RunAsync("systemd-analyze", ["verify", unitPath], directory.FullName);

            Assert.True(run.ExitCode == 0 && run.StandardOutput.Length == 0 && run.StandardError.Length == 0, run.ToString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("User=kdumpcloud")]
    [InlineData("NoNewPrivileges=true")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("ReadWritePaths=/var/lib/kdumpcloud")]
    [InlineData("CapabilityBoundingSet=\n")]
    [InlineData("AmbientCapabilities=\n")]
    [InlineData("PrivateTmp=true")]
    [InlineData("ProtectHome=true")]
    public void Unit_is_hardened(string line) => Assert.Contains(line, Unit, StringComparison.Ordinal);

    [Fact]
    public void Only_the_low_port_drop_in_grants_a_capability_and_only_that_one()
    {
        foreach (var dropIn in Directory.GetFiles(Path.Combine(RelayDirectory, "kdumpcloud-relay.service.d"), "*.conf"))
        {
            var capabilities = File.ReadAllLines(dropIn)
                .Where(line => line.StartsWith("AmbientCapabilities=", StringComparison.Ordinal) || line.StartsWith("CapabilityBoundingSet=", StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..])
                .ToList();
            Assert.Equal(Path.GetFileName(dropIn) == "low-port.conf" ? ["CAP_NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE"] : [], capabilities);
        }
    }
}
