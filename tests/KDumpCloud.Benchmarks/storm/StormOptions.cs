using System.Globalization;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>Everything a storm run can be told; see <see cref="Usage"/>.</summary>
internal sealed record StormOptions
{
    public const string Usage = """
        kdumpcloud-storm --relay-dll PATH [options] [-- --Relay:Key value ...]

        Starts the relay (dotnet PATH --Relay:Port P --Relay:BindAddress 127.0.0.1 --Relay:DataDirectory DIR, plus
        everything after --), then runs three phases against it while a probe Mac dumps one normal core at a time:
          1. --mass-macs Macs at once, each from its own 127.2.x.y, a core of --mass-min-size … --mass-max-size
          2. --short-count tiny dumps (--short-size) from distinct 127.3.x.y, spread evenly over --short-seconds
          3. one Mac (127.4.0.1, one source port) sending WRQs with new names as fast as replies allow, --flood-seconds
        Samples the relay's VmHWM, VmRSS, threads and fds every --sample-ms; writes a markdown report to --report.
        Everything goes to 127.0.0.0/8; --deadline-seconds bounds the whole run; the relay is killed at the end.

        Options (defaults in brackets):
          --relay-dll PATH          kdumpcloud-relay.dll to run                      [required]
          --data-dir DIR            the relay's spool (created; should be empty)     [a new temp directory]
          --port N                  relay port; 0 = read it from the relay's log     [0]
          --relay-log PATH          where the relay's output goes                    [DATA-DIR/../relay.log]
          --report PATH             markdown figures                                 [stdout only]
          --mass-macs N [1000]   --mass-min-size S [256KiB]   --mass-max-size S [1MiB]   --mass-timing kernel|fast [fast]
          --mass-seconds T [90]     bound on phase 1
          --short-count N [10000]   --short-seconds T [60]   --short-size S [2KiB]   --short-timing kernel|fast [fast]
          --flood-seconds T [10]    --flood-reply-ms T [1000]  wait for a reply to each flood WRQ
          --probe-size S [8MiB]     --probe-timing kernel|fast [kernel]   --probe-pause-ms T [200]
          --source-port server|any  Macs send from the relay's port like a real Mac's panicd_port, or any port [server]
          --settle-seconds T [2]    pause after each phase before counting the spool
          --sample-ms T [100]       --deadline-seconds T [280]
          --phases LIST             which phases to run, in order, e.g. 3 or 1,2   [1,2,3]
        """;

    public required string RelayDll { get; init; }

    public string? DataDirectory { get; init; }

    public int Port { get; init; }

    public string? RelayLog { get; init; }

    public string? Report { get; init; }

    public int MassMacs { get; init; } = 1000;

    public long MassMinSize { get; init; } = 256 << 10;

    public long MassMaxSize { get; init; } = 1 << 20;

    public KernelTimeouts MassTiming { get; init; } = KernelTimeouts.Fast;

    public TimeSpan MassDuration { get; init; } = TimeSpan.FromSeconds(90);

    public int ShortCount { get; init; } = 10_000;

    public TimeSpan ShortDuration { get; init; } = TimeSpan.FromSeconds(60);

    public long ShortSize { get; init; } = 2 << 10;

    public KernelTimeouts ShortTiming { get; init; } = KernelTimeouts.Fast;

    public TimeSpan FloodDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan FloodReplyWait { get; init; } = TimeSpan.FromSeconds(1);

    public long ProbeSize { get; init; } = 8 << 20;

    public KernelTimeouts ProbeTiming { get; init; } = KernelTimeouts.Kernel;

    public TimeSpan ProbePause { get; init; } = TimeSpan.FromMilliseconds(200);

    public bool MacsUseServerPort { get; init; } = true;

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(280);

    public IReadOnlyList<string> RelayArguments { get; init; } = [];

    /// <summary>The phases to run (1, 2, 3), in order.</summary>
    public IReadOnlyList<int> Phases { get; init; } = [1, 2, 3];

    /// <summary>Parses the command line; throws <see cref="FormatException"/> with a message for people.</summary>
    public static StormOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var relayArguments = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                relayArguments.AddRange(args.Skip(i + 1));
                break;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new FormatException($"expected --option value, got '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        var options = new StormOptions { RelayDll = Take(values, "relay-dll") ?? throw new FormatException("--relay-dll is required") };
        options = options with
        {
            DataDirectory = Take(values, "data-dir"),
            RelayLog = Take(values, "relay-log"),
            Report = Take(values, "report"),
            RelayArguments = relayArguments,
        };
        options = TakeNumbers(values, options);
        if (values.Count > 0)
        {
            throw new FormatException($"unknown option --{values.Keys.First()}");
        }

        return options.Validated();
    }

    private static StormOptions TakeNumbers(Dictionary<string, string> values, StormOptions o) => o with
    {
        Port = Int(values, "port", o.Port),
        MassMacs = Int(values, "mass-macs", o.MassMacs),
        MassMinSize = Size(values, "mass-min-size", o.MassMinSize),
        MassMaxSize = Size(values, "mass-max-size", o.MassMaxSize),
        MassTiming = Timing(values, "mass-timing", o.MassTiming),
        MassDuration = Seconds(values, "mass-seconds", o.MassDuration),
        ShortCount = Int(values, "short-count", o.ShortCount),
        ShortDuration = Seconds(values, "short-seconds", o.ShortDuration),
        ShortSize = Size(values, "short-size", o.ShortSize),
        ShortTiming = Timing(values, "short-timing", o.ShortTiming),
        FloodDuration = Seconds(values, "flood-seconds", o.FloodDuration),
        FloodReplyWait = TimeSpan.FromMilliseconds(Int(values, "flood-reply-ms", (int)o.FloodReplyWait.TotalMilliseconds)),
        ProbeSize = Size(values, "probe-size", o.ProbeSize),
        ProbeTiming = Timing(values, "probe-timing", o.ProbeTiming),
        ProbePause = TimeSpan.FromMilliseconds(Int(values, "probe-pause-ms", (int)o.ProbePause.TotalMilliseconds)),
        MacsUseServerPort = (Take(values, "source-port") ?? "server") switch
        {
            "server" => true,
            "any" => false,
            var other => throw new FormatException($"--source-port: server or any, not '{other}'"),
        },
        Settle = Seconds(values, "settle-seconds", o.Settle),
        SampleInterval = TimeSpan.FromMilliseconds(Int(values, "sample-ms", (int)o.SampleInterval.TotalMilliseconds)),
        Deadline = Seconds(values, "deadline-seconds", o.Deadline),
        Phases = Take(values, "phases") is { } list
            ? [.. list.Split(',').Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture))]
            : o.Phases,
    };

    private StormOptions Validated()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535) { problems.Add("--port must be 0 … 65535"); }
        if (MassMacs is < 0 or > SourceAddresses.PerBlock) { problems.Add($"--mass-macs must be 0 … {SourceAddresses.PerBlock}"); }
        if (ShortCount is < 0 or > SourceAddresses.PerBlock) { problems.Add($"--short-count must be 0 … {SourceAddresses.PerBlock}"); }
        if (MassMinSize < 1 || MassMaxSize < MassMinSize || MassMaxSize > 64 << 20) { problems.Add("need 1 ≤ --mass-min-size ≤ --mass-max-size ≤ 64MiB"); }
        if (ShortSize is < 1 or > 64 << 20) { problems.Add("--short-size must be 1 B … 64 MiB"); }
        if (ProbeSize is < 1 or > 1 << 30) { problems.Add("--probe-size must be 1 B … 1 GiB"); }
        if (Deadline <= TimeSpan.Zero || Deadline > TimeSpan.FromHours(1)) { problems.Add("--deadline-seconds must be more than 0 and at most 3600"); }
        if (Phases.Count == 0 || Phases.Any(p => p is < 1 or > 3)) { problems.Add("--phases lists 1, 2 and/or 3"); }
        if (SampleInterval < TimeSpan.FromMilliseconds(10)) { problems.Add("--sample-ms must be at least 10"); }
        return problems.Count == 0 ? this : throw new FormatException(string.Join("; ", problems));
    }

    private static string? Take(Dictionary<string, string> values, string key) => values.Remove(key, out var value) ? value : null;

    private static int Int(Dictionary<string, string> values, string key, int fallback) =>
        Take(values, key) is { } text ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;

    private static long Size(Dictionary<string, string> values, string key, long fallback) =>
        Take(values, key) is { } text ? SizeText.Parse(text) : fallback;

    private static TimeSpan Seconds(Dictionary<string, string> values, string key, TimeSpan fallback) =>
        Take(values, key) is { } text ? TimeSpan.FromSeconds(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)) : fallback;

    private static KernelTimeouts Timing(Dictionary<string, string> values, string key, KernelTimeouts fallback) => Take(values, key) switch
    {
        null => fallback,
        "kernel" => KernelTimeouts.Kernel,
        "fast" => KernelTimeouts.Fast,
        var other => throw new FormatException($"--{key}: kernel or fast, not '{other}'"),
    };

    public static string TimingName(KernelTimeouts timing) => timing == KernelTimeouts.Kernel ? "the real kernel's" : timing == KernelTimeouts.Fast ? "fast (kernel ÷ 50)" : "custom";
}
