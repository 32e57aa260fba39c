using System.Net;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>What every phase needs: the relay's endpoint, its spool, the options, and which phase is running.</summary>
internal sealed class StormContext(StormOptions options, IPEndPoint server, string spoolDirectory)
{
    private volatile string _phase = "start";

    public StormOptions Options { get; } = options;

    public IPEndPoint Server { get; } = server;

    /// <summary>The relay's <c>dumps/</c> directory.</summary>
    public string Dumps { get; } = Path.Combine(spoolDirectory, "dumps");

    public string Journal { get; } = Path.Combine(spoolDirectory, "journal");

    /// <summary>The phase running now, for labelling probe transfers.</summary>
    public string Phase { get => _phase; set => _phase = value; }

    /// <summary>Where a Mac at <paramref name="address"/> sends from: the relay's port (its panicd_port) or any.</summary>
    public IPEndPoint Source(IPAddress address) => new(address, Options.MacsUseServerPort ? Server.Port : 0);

    /// <summary>A modern kernel's core name for a Mac at <paramref name="address"/>; <paramref name="tag"/> keeps
    /// several dumps of one Mac apart (the kernel prints mach_absolute_time there).</summary>
    public static string CoreName(IPAddress address, ulong tag) =>
        DumpFileName.Format(DumpKind.Core, KernelProfile.For(KernelGeneration.Xnu7195Plus).KernelVersion, address, tag, gzip: false);

    public int SpoolFileCount() => Directory.Exists(Dumps) ? Directory.EnumerateFileSystemEntries(Dumps).Count() : 0;

    public int JournalFileCount() => Directory.Exists(Journal) ? Directory.EnumerateFileSystemEntries(Journal).Count() : 0;

    /// <summary>Whether the spool's file for a completed dump hashes to what the Mac expects.</summary>
    public bool StoredIdentically(MacResult result) =>
        result is { Outcome: MacOutcome.Completed, ExpectedSha256: { } expected }
        && ContentHash.FileSha256Hex(Path.Combine(Dumps, result.FileName)) == expected;
}
