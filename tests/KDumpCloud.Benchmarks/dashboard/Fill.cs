using System.Diagnostics;
using System.Globalization;
using KDumpCloud.Ingest.Embedded;
using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Benchmarks.Dashboard;

/// <summary>Fills a store with a large lab's history, once (a store that already holds it is reused).</summary>
internal static class Fill
{
    private static readonly string[] Kinds =
        ["trap type 14=page fault", "trap type 13=general protection", "data abort", "watchdog", "assertion", "message", "GPU", "sleep/wake timeout"];

    private static readonly string[] Builds = [.. Enumerable.Range(0, 30).Select(i => $"24{(char)('A' + (i % 8))}{300 + i}")];

    private static readonly string[] Kernels = [.. Enumerable.Range(0, 10).Select(i =>
        $"Darwin Kernel Version 24.{i}.0: Mon Oct  9 21:27:24 PDT 2025; root:xnu-11215.{i}.10~2/RELEASE_ARM64_T6000")];

    public static async Task<(int Groups, int Occurrences, string Describe)> RunAsync(SqliteCrashStore store, Options options)
    {
        var existing = await store.ListGroupsAsync(GroupOrder.Newest, options.Groups + 1);
        if (existing.Count >= options.Groups && existing.Sum(g => g.Count) >= options.Occurrences)
        {
            return (existing.Count, (int)existing.Sum(g => g.Count), "reused from an earlier run");
        }

        if (existing.Count > 0)
        {
            throw new InvalidOperationException($"{store.Path} holds a partial fill ({existing.Count} groups); delete its folder and run again");
        }

        var started = Stopwatch.GetTimestamp();
        var random = new Random(42);
        var end = DateTimeOffset.UtcNow;
        var span = TimeSpan.FromDays(120);
        for (var i = 0; i < options.Occurrences; i++)
        {
            // Every group once, then the rest skewed towards a few hot groups, as a lab's crashes are.
            var group = i < options.Groups ? i : (int)(options.Groups * Math.Pow(random.NextDouble(), 3));
            var at = end - span + (span * ((double)i / options.Occurrences));
            await store.RecordAsync(Occurrence(options, i, GroupId(group), at, random, group));
            if (i % 20_000 == 0)
            {
                Console.Error.WriteLine($"recorded {i:N0} of {options.Occurrences:N0} ({Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s)");
            }
        }

        var groups = await store.ListGroupsAsync(GroupOrder.Newest, options.Groups + 1);
        return (groups.Count, options.Occurrences, $"recorded in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s over 120 days of receive times, a few hot groups (cube of a uniform draw) and every group at least once, 500 Macs, 30 OS builds");
    }

    public static Occurrence Occurrence(Options options, int index, string groupId, DateTimeOffset at) =>
        Occurrence(options, index, groupId, at, new Random(index), Convert.ToInt32(groupId[^6..], 16) % options.Groups);

    private static Occurrence Occurrence(Options options, int index, string groupId, DateTimeOffset at, Random random, int group)
    {
        var machine = $"10.{group % 3}.{random.Next(20)}.{random.Next(25)}";
        var message = $"com.example.driver{group % 97}::handleInterrupt: gave up waiting for the device at 0x{random.Next():x} (status {random.Next(100)})";
        return new Occurrence
        {
            DumpId = Guid.CreateVersion7(at),
            GroupId = groupId,
            Fingerprint = groupId,
            FingerprintVersion = "kdc-fp-2",
            Signature = $"com.example.driver{group % 97} | com.example.driver{group % 97}::handleInterrupt: gave up waiting for the device at 0x? (status #) @Driver{group}.cpp",
            Kind = Kinds[group % Kinds.Length],
            Culprit = $"com.example.driver{group % 97}",
            PanicMessage = message,
            Status = OccurrenceStatus.Decoded,
            ReceivedAt = at,
            Client = machine + ":1069",
            Machine = machine,
            Model = "MacBookPro18,3",
            OsBuild = Builds[(group + random.Next(3)) % Builds.Length],
            KernelVersion = Kernels[group % Kernels.Length],
            DumpLocation = $"file:///var/lib/kdumpcloud/dumps/paniclog-{index}",
            FileName = $"paniclog-{index}",
            DumpSize = 4096,
            Sha256 = new string('a', 64),
            Complete = true,
            RelayHost = "relay-bench",
            PanicText = PanicText(message, index),
        };
    }

    private static string GroupId(int group) => group.ToString("x32", CultureInfo.InvariantCulture);

    private static string PanicText(string message, int boot) => $$"""
        panic(cpu {{boot % 4}} caller 0xffffff80{{boot % 256:x2}}4a2b3c): "{{message}}"@/Library/Caches/com.apple.xbs/Sources/Driver/Driver.cpp:{{400 + (boot % 50)}}
        Backtrace (CPU {{boot % 4}}), Frame : Return Address
        0xffffff81f0b1bc90 : 0xffffff80{{boot % 256:x2}}4a2b3c
        0xffffff81f0b1bcf0 : 0xffffff7f8{{boot % 16:x1}}123456
              Kernel Extensions in backtrace:
                 com.example.driver(1.0)[5D8E3C4A-1B2C-3D4E-8F90-0A1B2C3D4E5F]@0xffffff7f8{{boot % 16:x1}}100000->0xffffff7f8{{boot % 16:x1}}1fffff

        BSD process name corresponding to current thread: kernel_task

        Mac OS version:
        24A335

        Kernel version:
        Darwin Kernel Version 24.0.0: Mon Oct  9 21:27:24 PDT 2025; root:xnu-11215.0.10~2/RELEASE_X86_64
        Kernel slide:     0x000000000{{boot % 16:x1}}a00000
        System model name: MacBookPro15,1 (Mac-937A206F2EE63C01)
        """;
}
