using KDumpCloud.Relay.Spool;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mono.Unix.Native;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// Ready requires it: <c>dumps/</c> and <c>journal/</c> are real directories this process may create files in
/// (<c>access(2)</c> with <c>W_OK|X_OK</c>: permissions, and read-only mounts even for root). It writes nothing: a
/// probe file would show up in the spool, which other stages and people list. A full disk is reported (free bytes) but
/// does not make the relay unready: it still answers, refusing new dumps with "disk full" until retention frees room.
/// </summary>
internal sealed class SpoolWritableHealthCheck(DumpSpool spool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problem = Problem(spool.DumpsDirectory) ?? Problem(spool.JournalDirectory);
        if (problem is not null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(problem, data: new Dictionary<string, object>
            {
                ["dumpsDirectory"] = spool.DumpsDirectory,
            }));
        }

        var free = FreeBytes();
        var data = new Dictionary<string, object>
        {
            ["dumpsDirectory"] = spool.DumpsDirectory,
            ["dumps"] = spool.Count,
            ["usedBytes"] = spool.UsedBytes,
        };
        if (free is { } bytes)
        {
            data["freeBytes"] = bytes;
        }

        return Task.FromResult(HealthCheckResult.Healthy("writable", data));
    }

    /// <summary>Why <paramref name="directory"/> cannot take new files, or null when it can.</summary>
    private static string? Problem(string directory)
    {
        if (Syscall.lstat(directory, out var status) != 0)
        {
            return $"{directory} is missing ({Stdlib.GetLastError()})";
        }

        if ((status.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR)
        {
            return $"{directory} is not a directory";
        }

        return Syscall.access(directory, AccessModes.W_OK | AccessModes.X_OK) == 0
            ? null
            : $"{directory} is not writable ({Stdlib.GetLastError()})";
    }

    private long? FreeBytes()
    {
        try
        {
            return spool.AvailableDiskBytes;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
