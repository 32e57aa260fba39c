using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using KDumpCloud.Cli.Send;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Cli.Commands;

/// <summary><c>kdumpcloud send</c>: dump to a relay like a panicking Mac (see <see cref="KdumpSender"/>).</summary>
internal static class SendCommand
{
    private const string Description =
        "Dump to a relay (or Apple's kdumpd) like a panicking Mac, without panicking one: to check a setup, in tests, and for load.\n" +
        "It speaks the kernel's side of the kdump protocol for the chosen macOS generation: its write request layout and packet\n" +
        "size, the pre-10.11 Mach-O core written with SEEKs or the 10.11+ sequential (gzip) stream, paniclog/systemlog with the\n" +
        "kernel's trailing fill bytes, and the kernel's timeouts (10.5 s / 7.5 s / 3 s) and 14-transmission limit.\n" +
        "It prints one line per transfer and a total: payload bytes, seconds, MB/s (10^6), retransmissions, WRQ to ACK 0 time,\n" +
        "ACK round-trip p50/p90/p99, and the SHA-256 the relay's file should have (Apple's kdumpd would store exactly those bytes).\n" +
        "Exit code 0 only if every transfer completed. Datagrams go only to --server.\n\n" +
        "Examples:\n" +
        "  kdumpcloud send --example-panic        (a panic log written for KDumpCloud: see it decoded with kdumpcloud crashes)\n" +
        "  kdumpcloud send --random-bytes 16MiB\n" +
        "  kdumpcloud send --file panic.txt --kind paniclog --generation 10.10\n" +
        "  kdumpcloud send --random-bytes 16MiB --concurrency 32 --timing fast --loss 0.05 --duplicate 0.02";

    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The relay's IPv4 address (_panicd_ip).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The relay's port (panicd_port).", DefaultValueFactory = _ => KdumpWire.DefaultPort };
        var file = new Option<FileInfo?>("--file") { Description = "Send this file's bytes." };
        var randomBytes = new Option<string?>("--random-bytes") { Description = "Send this many seeded random bytes instead of a file: 4096, 64k, 16MiB, 1G (powers of 1024)." };
        var examplePanic = new Option<bool>("--example-panic")
        {
            Description = "Send KDumpCloud's own example panic log (an Intel macOS 15 page fault in a made-up driver) as a paniclog, " +
                "so a relay shows a crash decoded and grouped without a Mac to panic.",
        };
        var seed = new Option<int>("--seed") { Description = "Seeds --random-bytes and the --loss/--duplicate decisions.", DefaultValueFactory = _ => 1 };
        var kind = new Option<string>("--kind") { Description = "core, paniclog (debug bit 0x2000) or systemlog.", DefaultValueFactory = _ => "core" };
        kind.AcceptOnlyFromAmong("core", "paniclog", "systemlog");
        var generation = new Option<string>("--generation")
        {
            Description = "The panicking Mac's macOS: 10.3 … 10.5 and 10.6-i386 (no features), 10.6, 10.7, 10.8 … 10.10 (Mach-O cores with SEEKs), 10.11 … 10.15, 11 … 15, 26 or modern.",
            DefaultValueFactory = _ => "modern",
            HelpName = "release",
        };
        generation.AcceptOnlyFromAmong([.. GenerationNames.All]);
        var gzip = new Option<bool>("--gzip") { Description = "Compress the content first, as 10.11+ kernels do with cores; the name gets .gz." };
        var name = new Option<string?>("--name") { Description = "Use this file name (like _panicd_corename) instead of core-xnu-…-a.b.c.d-hex; -1, -2 … are appended with --concurrency." };
        var timing = new Option<string>("--timing") { Description = "kernel: the kernel's real timeouts; fast: all divided by 50, for tests.", DefaultValueFactory = _ => "kernel" };
        timing.AcceptOnlyFromAmong("kernel", "fast");
        var loss = new Option<double>("--loss") { Description = "Probability of dropping each outgoing datagram and each incoming reply (e.g. 0.05)." };
        var duplicate = new Option<double>("--duplicate") { Description = "Probability of sending each datagram twice (e.g. 0.02)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Transfers at once, each its own file; to a loopback relay each comes from its own 127.0.0.x.", DefaultValueFactory = _ => 1 };
        var localAddress = new Option<string?>("--local-address") { Description = "Send from this local IPv4 address." };
        var timeout = new Option<double>("--timeout") { Description = "Stop a transfer after this many seconds whatever the kernel rules say.", DefaultValueFactory = _ => 600 };

        var command = new Command("send", Description)
        {
            server, port, file, randomBytes, examplePanic, seed, kind, generation, gzip, name, timing, loss, duplicate, concurrency, localAddress, timeout,
        };
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            // Checked here rather than in command validators, which don't see default values.
            var problems = Validate(result, server, port, file, randomBytes, examplePanic, kind, generation, gzip, loss, duplicate, concurrency, localAddress, timeout);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync($"kdumpcloud send: {problem}");
                }

                return 2;
            }

            GenerationNames.TryParse(result.GetValue(generation), out var kernel);
            ByteSize.TryParse(result.GetValue(randomBytes), out var size);
            var settings = new SendSettings
            {
                Server = new IPEndPoint(IPAddress.Parse(result.GetValue(server)!), result.GetValue(port)),
                FilePath = result.GetValue(file)?.FullName,
                RandomBytes = size,
                ExamplePanic = result.GetValue(examplePanic),
                Seed = result.GetValue(seed),
                Kind = result.GetValue(examplePanic) ? DumpKind.PanicLog : ParseKind(result.GetValue(kind)),
                Generation = kernel,
                Gzip = result.GetValue(gzip),
                Name = result.GetValue(name),
                Timeouts = result.GetValue(timing) == "fast" ? KernelTimeouts.Fast : KernelTimeouts.Kernel,
                Loss = result.GetValue(loss),
                Duplicate = result.GetValue(duplicate),
                Concurrency = result.GetValue(concurrency),
                LocalAddress = result.GetValue(localAddress) is { } local ? IPAddress.Parse(local) : null,
                MaxDuration = TimeSpan.FromSeconds(result.GetValue(timeout)),
            };
            return await SendRunner.RunAsync(settings, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static List<string> Validate(ParseResult result, Option<string> server, Option<int> port, Option<FileInfo?> file,
        Option<string?> randomBytes, Option<bool> examplePanic, Option<string> kind, Option<string> generation, Option<bool> gzip,
        Option<double> loss, Option<double> duplicate, Option<int> concurrency, Option<string?> localAddress, Option<double> timeout)
    {
        var problems = new List<string>();
        if (!IsIPv4(result.GetValue(server)))
        {
            problems.Add("--server must be an IPv4 address: the kernel dumps over IPv4 only.");
        }

        if (result.GetValue(port) is < 1 or > 65535)
        {
            problems.Add("--port must be 1 … 65535.");
        }

        var hasFile = result.GetValue(file) is not null;
        var sizeText = result.GetValue(randomBytes);
        var example = result.GetValue(examplePanic);
        if ((hasFile ? 1 : 0) + (sizeText is not null ? 1 : 0) + (example ? 1 : 0) != 1)
        {
            problems.Add("Give one of --file PATH, --random-bytes N or --example-panic.");
        }
        else if (sizeText is not null && (!ByteSize.TryParse(sizeText, out var size) || size > Array.MaxLength))
        {
            problems.Add($"--random-bytes: '{sizeText}' is not a size up to {Array.MaxLength} bytes (e.g. 4096, 64k, 16MiB).");
        }

        GenerationNames.TryParse(result.GetValue(generation), out var kernel);
        var profile = KernelProfile.For(kernel);
        var dumpKind = ParseKind(result.GetValue(kind));
        if (example && result.GetResult(kind) is { Implicit: false } && dumpKind != DumpKind.PanicLog)
        {
            problems.Add("--example-panic is a panic log: leave out --kind or say --kind paniclog.");
        }

        dumpKind = example ? DumpKind.PanicLog : dumpKind;
        if (dumpKind == DumpKind.SystemLog && !profile.SupportsSystemLog)
        {
            problems.Add($"{profile.Releases} kernels send no systemlog dumps.");
        }

        if (result.GetValue(gzip) && (dumpKind != DumpKind.Core || !profile.SupportsGzip))
        {
            problems.Add("--gzip is for cores from 10.11 on: older kernels and paniclogs/systemlogs send raw bytes.");
        }

        if (result.GetValue(loss) is < 0 or >= 1 || result.GetValue(duplicate) is < 0 or >= 1)
        {
            problems.Add("--loss and --duplicate are probabilities in [0, 1).");
        }

        if (result.GetValue(concurrency) is < 1 or > 4096)
        {
            problems.Add("--concurrency must be 1 … 4096.");
        }

        if (result.GetValue(localAddress) is { } local && !IsIPv4(local))
        {
            problems.Add("--local-address must be an IPv4 address.");
        }

        if (result.GetValue(timeout) is <= 0 or > 86_400)
        {
            problems.Add("--timeout must be more than 0 and at most 86400 seconds.");
        }

        return problems;
    }

    private static bool IsIPv4(string? text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork
        && text!.Count(c => c == '.') == 3;

    private static DumpKind ParseKind(string? kind) => kind switch
    {
        "paniclog" => DumpKind.PanicLog,
        "systemlog" => DumpKind.SystemLog,
        _ => DumpKind.Core,
    };
}
