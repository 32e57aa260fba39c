using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Cli.Send;

/// <summary>
/// Runs <c>kdumpcloud send</c>: N emulated Macs at once, then one line per transfer and a total. Exit code 0 only
/// if every transfer completed.
/// </summary>
internal static class SendRunner
{
    public static async Task<int> RunAsync(SendSettings settings, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        byte[] content;
        try
        {
            content = settings.ExamplePanic ? ExamplePanic.Utf8
                : settings.FilePath is { } path ? await File.ReadAllBytesAsync(path, cancellationToken)
                : RandomContent(settings.RandomBytes, settings.Seed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"kdumpcloud send: cannot read {settings.FilePath}: {e.Message}");
            return 1;
        }

        if (settings.Gzip)
        {
            content = Gzip(content);
        }

        var transfers = new List<(KdumpSendOptions Options, Task<KdumpSendResult> Task)>(settings.Concurrency);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < settings.Concurrency; i++)
        {
            var local = LocalAddressFor(settings, i);
            var options = new KdumpSendOptions
            {
                Server = settings.Server,
                LocalAddress = local,
                FileName = FileNameFor(settings, i, local ?? SourceAddressTowards(settings.Server.Address)),
                Content = content,
                Kind = settings.Kind,
                Generation = settings.Generation,
                Timeouts = settings.Timeouts,
                LossProbability = settings.Loss,
                DuplicateProbability = settings.Duplicate,
                Seed = unchecked(settings.Seed + (i * 7919)),
                MaxDuration = settings.MaxDuration,
            };
            transfers.Add((options, new KdumpSender(options).SendAsync(cancellationToken)));
        }

        try
        {
            await Task.WhenAll(transfers.Select(t => t.Task));
        }
        catch (SocketException)
        {
            // Reported per transfer below.
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var expectedHashes = new Dictionary<(Kdump.Packets.KdumpFeatures, int), string>();
        var results = new List<KdumpSendResult>();
        foreach (var (options, task) in transfers)
        {
            if (task.Exception?.InnerException is SocketException e)
            {
                await output.WriteLineAsync($"failed     {options.FileName}  cannot send from {options.LocalAddress?.ToString() ?? "any address"}: {e.Message}");
                continue;
            }

            var result = await task;
            results.Add(result);
            await output.WriteLineAsync(FormatLine(result, ExpectedSha256(result, expectedHashes)));
        }

        await output.WriteLineAsync(FormatTotal(results, settings.Concurrency, wall));
        var allCompleted = results.Count == settings.Concurrency && results.All(r => r.Outcome == SendOutcome.Completed);
        if (settings.ExamplePanic && allCompleted)
        {
            await output.WriteLineAsync("sent the example panic; a relay without KDumpStorage decodes and groups it: kdumpcloud crashes");
        }

        return allCompleted ? 0 : 1;
    }

    /// <summary>Several transfers to a loopback relay each come from their own 127.0.0.x, like several Macs.</summary>
    internal static IPAddress? LocalAddressFor(SendSettings settings, int index)
    {
        if (settings.LocalAddress is not null || !IPAddress.IsLoopback(settings.Server.Address))
        {
            return settings.LocalAddress;
        }

        // 127.0.0.1, .2 … .254, then 127.0.1.1 …: no network or broadcast-looking last octets.
        var host = 0x7F000000u + ((uint)(index / 254) << 8) + (uint)(index % 254) + 1;
        return new IPAddress([(byte)(host >> 24), (byte)(host >> 16), (byte)(host >> 8), (byte)host]);
    }

    private static string FileNameFor(SendSettings settings, int index, IPAddress client)
    {
        if (settings.Name is { } name)
        {
            return settings.Concurrency == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}-{index + 1}");
        }

        // The kernel prints the low 32 bits of mach_absolute_time(); + index keeps names apart from one address.
        var absoluteTime = (ulong)Stopwatch.GetTimestamp() + (ulong)index;
        return DumpFileName.Format(settings.Kind, KernelProfile.For(settings.Generation).KernelVersion, client, absoluteTime, settings.Gzip);
    }

    /// <summary>The local address the OS would send from (a UDP connect sends nothing).</summary>
    private static IPAddress SourceAddressTowards(IPAddress server)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(server, 9);
            return ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return IPAddress.Any;
        }
    }

    private static string ExpectedSha256(KdumpSendResult result, Dictionary<(Kdump.Packets.KdumpFeatures, int), string> cache)
    {
        if (result.Outcome != SendOutcome.Completed || result.Plan is not { } plan)
        {
            return "-";
        }

        // Cores don't depend on the name; paniclogs and systemlogs only through its length (§8.3).
        var key = (plan.Features, plan.Kind == DumpKind.Core ? -1 : Encoding.UTF8.GetByteCount(plan.FileName));
        if (!cache.TryGetValue(key, out var hash))
        {
            hash = KdumpdStoredBytes.Sha256Hex(plan);
            cache[key] = hash;
        }

        return hash;
    }

    internal static string FormatLine(KdumpSendResult result, string expectedSha256)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{Outcome(result.Outcome),-10} {result.FileName}  {result.PayloadBytes} B  {result.Elapsed.TotalSeconds:F3} s  {result.MegabytesPerSecond:F2} MB/s  " +
            $"retransmissions {result.Retransmissions}  wrq→ack0 {(result.Plan is null ? "-" : $"{result.WriteRequestRoundTrip.TotalMilliseconds:F2} ms")}  " +
            $"ack rtt p50/p90/p99 {Rtt(result.AckRoundTrip)}  sha256 {expectedSha256}");
        if (result.Outcome != SendOutcome.Completed)
        {
            line += result.ErrorText is { } text ? $"  ({result.Detail}; server said \"{text}\")" : $"  ({result.Detail})";
        }

        return line;
    }

    internal static string FormatTotal(IReadOnlyList<KdumpSendResult> results, int transfers, TimeSpan wall)
    {
        var bytes = results.Sum(r => r.PayloadBytes);
        var roundTrips = results.SelectMany(r => r.AckRoundTripTicks.ToArray()).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"total      {results.Count(r => r.Outcome == SendOutcome.Completed)}/{transfers} completed  {bytes} B  {wall.TotalSeconds:F3} s  " +
            $"{(wall > TimeSpan.Zero ? bytes / wall.TotalSeconds / 1e6 : 0):F2} MB/s  retransmissions {results.Sum(r => r.Retransmissions)}  " +
            $"ack rtt p50/p90/p99 {Rtt(RoundTripSummary.FromStopwatchTicks(roundTrips))}");
    }

    private static string Outcome(SendOutcome outcome) => outcome switch
    {
        SendOutcome.Completed => "completed",
        SendOutcome.Refused => "refused",
        SendOutcome.TimedOut => "timed-out",
        _ => "cancelled",
    };

    private static string Rtt(RoundTripSummary summary) => summary.Count == 0
        ? "-"
        : string.Create(CultureInfo.InvariantCulture,
            $"{summary.P50.TotalMicroseconds:F0}/{summary.P90.TotalMicroseconds:F0}/{summary.P99.TotalMicroseconds:F0} µs");

    private static byte[] RandomContent(long length, int seed)
    {
        var content = new byte[checked((int)length)];
        new Random(seed).NextBytes(content);
        return content;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return compressed.ToArray();
    }
}
