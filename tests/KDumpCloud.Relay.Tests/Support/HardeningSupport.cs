using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using KDumpCloud.Relay.Transfers;

namespace KDumpCloud.Relay.Tests.Support;

/// <summary>Datagrams <see cref="RawKdumpPeer"/> does not build: the 64-bit SEEK and the Mac's ERROR (§7, §9).</summary>
internal static class KdumpDatagrams
{
    public static byte[] Seek64(uint block, ulong offset)
    {
        var packet = new byte[14];
        BinaryPrimitives.WriteUInt16BigEndian(packet, 6);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(2), block);
        BinaryPrimitives.WriteUInt64BigEndian(packet.AsSpan(6), offset);
        return packet;
    }

    /// <summary>An ERROR from the Mac: the transfer is over (§9).</summary>
    public static byte[] MacError() => [0, 5, 0, 0, 0, 0, .. "gave up"u8.ToArray(), 0];

    public static bool IsError(byte[] datagram) => datagram.Length >= 4 && datagram[0] == 0 && datagram[1] == 5;

    public static int ErrorCode(byte[] datagram) => BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(2));

    public static string ErrorText(byte[] datagram) =>
        datagram.Length > 6 ? Encoding.ASCII.GetString(datagram.AsSpan(6)).TrimEnd('\0') : string.Empty;

    /// <summary>Reads until nothing arrives for <paramref name="quietMs"/>; returns everything that did.</summary>
    public static async Task<List<(byte[] Datagram, IPEndPoint From)>> DrainAsync(RawKdumpPeer peer, int quietMs = 500)
    {
        var replies = new List<(byte[], IPEndPoint)>();
        while (await peer.ReceiveAsync(quietMs) is { } reply)
        {
            replies.Add(reply);
        }

        return replies;
    }
}

/// <summary>
/// A clock that fails on request, to reach the relay's failure paths through its real <see cref="TimeProvider"/>
/// seam: a transfer's <see cref="CreateTimer"/> throws the next N times (a transfer that cannot start), and <see cref="GetUtcNow"/>
/// throws once when armed (a fault on a transfer's receive path). Everything else is the inner clock.
/// </summary>
internal sealed class FaultyTimeProvider(TimeProvider? inner = null) : TimeProvider
{
    private readonly TimeProvider _inner = inner ?? System;
    private int _timerFailures;
    private int _utcNowFailures;
    private int _utcNowThrown;

    /// <summary>The next <paramref name="count"/> timers a transfer creates fail; other timers (the readiness
    /// monitor's delays, the spool's background work) are left alone, whenever they happen to be created.</summary>
    public void FailNextTransferTimers(int count) => Volatile.Write(ref _timerFailures, count);

    public void FailNextUtcNow(int count = 1) => Volatile.Write(ref _utcNowFailures, count);

    public int UtcNowFailuresThrown => Volatile.Read(ref _utcNowThrown);

    public override DateTimeOffset GetUtcNow()
    {
        if (TakeFailure(ref _utcNowFailures))
        {
            Interlocked.Increment(ref _utcNowThrown);
            throw new InvalidOperationException("injected clock failure");
        }

        return _inner.GetUtcNow();
    }

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (state is Transfer && TakeFailure(ref _timerFailures))
        {
            throw new InvalidOperationException("injected timer failure");
        }

        return _inner.CreateTimer(callback, state, dueTime, period);
    }

    private static bool TakeFailure(ref int remaining)
    {
        while (true)
        {
            var left = Volatile.Read(ref remaining);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref remaining, left - 1, left) == left)
            {
                return true;
            }
        }
    }
}

/// <summary>What this process holds, read from /proc (Linux).</summary>
internal static class ProcessProbe
{
    /// <summary>Threads whose name starts with <paramref name="prefix"/> (the kernel keeps 15 bytes of it).</summary>
    public static int ThreadsNamed(string prefix)
    {
        var count = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n').StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The thread exited while we looked.
            }
        }

        return count;
    }

    /// <summary>Transfer threads ("kdump transfer 127.0.0.1:…", cut to "kdump transfer ").</summary>
    public static int TransferThreads() => ThreadsNamed("kdump transfer");

    /// <summary>How many of this process's file descriptors point at <paramref name="path"/>.</summary>
    public static int DescriptorsOpenOn(string path)
    {
        var full = Path.GetFullPath(path);
        var count = 0;
        foreach (var descriptor in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(descriptor).LinkTarget;
                if (target is not null && (target == full || target == full + " (deleted)"))
                {
                    count++;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return count;
    }
}

/// <summary>Tests that count the process's threads run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide counts";
}

/// <summary>Runs a command, failing with its output if it fails.</summary>
internal static class Shell
{
    public static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}

/// <summary>
/// A small tmpfs (a disk that fills up for real), mounted for one test and unmounted after. Needs root and
/// <c>mount</c>; <see cref="TmpfsFactAttribute"/> skips the test, saying why, where that is not available.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Create(int kilobytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kdumpcloud-tests", Guid.NewGuid().ToString("n"), "tmpfs");
        Directory.CreateDirectory(path);
        var (exit, output) = Shell.Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        if (exit != 0)
        {
            throw new InvalidOperationException($"mount -t tmpfs failed ({exit}): {output}");
        }

        return new TmpfsMount(path);
    }

    /// <summary>Fills the file system: writes <paramref name="path"/> in 4 KiB pieces until the disk refuses.</summary>
    public static void FillUp(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var page = new byte[4096];
        Array.Fill(page, (byte)0x5A);
        try
        {
            while (true)
            {
                stream.Write(page);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }
    }

    public void Dispose()
    {
        // Lazy, so a relay still holding a file cannot keep the mount (and the test machine's memory) alive.
        Shell.Run("umount", "-l", Path);
    }

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs needs Linux";
        }

        try
        {
            using var probe = Create(64);
            return null;
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return "cannot mount a tmpfs here (needs root and mount): " + error.Message;
        }
    });

    public static string? WhyUnavailable => Unavailable.Value;
}

/// <summary>A fact that needs <see cref="TmpfsMount"/>; skipped, visibly, where no tmpfs can be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (TmpfsMount.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}

/// <summary>The relay's own view of a spool entry (lstat, links not followed).</summary>
internal static class UnixEntry
{
    public static KDumpCloud.Relay.Spool.SpoolEntryKind Kind(string path) => KDumpCloud.Relay.Spool.UnixFiles.Inspect(path, out _, out _);
}
