using System.Net;
using System.Net.Sockets;
using System.Diagnostics;
using KDumpCloud.Relay.Hosting;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Telemetry;
using KDumpCloud.Relay.Transfers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace KDumpCloud.Benchmarks.Relay;

/// <summary>The real relay on 127.0.0.1 and a free port, with a throw-away spool, for benchmarks.</summary>
internal sealed class InProcessRelay : IDisposable
{
    private readonly IHost _host;
    private readonly List<Activity> _spans = [];

    /// <param name="telemetry">Register OpenTelemetry as a configured relay does (every KDumpCloud.* source sampled,
    /// every KDumpCloud.* meter), exporting to memory.</param>
    public InProcessRelay(bool telemetry = false)
    {
        // KDUMPCLOUD_BENCH_DATA puts the spool elsewhere, e.g. on tmpfs to separate the relay's own cost from the
        // disk's file-creation latency (0.1–2 ms on this project's VM, and a WRQ waits for one creation).
        var parent = Environment.GetEnvironmentVariable("KDUMPCLOUD_BENCH_DATA") ?? Path.Combine(Path.GetTempPath(), "kdumpcloud-bench");
        DataDirectory = Path.Combine(parent, Guid.NewGuid().ToString("n"));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:Port"] = "0",
            ["Relay:BindAddress"] = "127.0.0.1",
            ["Relay:DataDirectory"] = DataDirectory,
            ["Relay:MaxConcurrentTransfers"] = "4096",
            ["Relay:MinFreeDiskBytes"] = "0",

            // Every benchmark client is 127.0.0.1: one "Mac" to the per-source limits, which are not what is measured.
            ["Relay:MaxTransfersPerSource"] = "4096",
            ["Relay:WriteRequestsPerSecondPerSource"] = "100000",
            ["Relay:DumpsPerHourPerSource"] = "1000000",
            ["Relay:MaxLingeringTransfers"] = "100000",
        });
        builder.Services.AddKdumpRelay();
        if (telemetry)
        {
            var metrics = new List<Metric>();
            builder.Services.AddKDumpTelemetry(builder.Configuration, RelayServiceCollectionExtensions.RelayServiceName,
                tracing => tracing.AddInMemoryExporter(_spans), meters => meters.AddInMemoryExporter(metrics));
        }

        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        EndPoint = _host.Services.GetRequiredService<KdumpListener>().LocalEndPoint.GetAwaiter().GetResult();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The traceparent the spool keeps for a dump in progress (its receive span's, when one was created).</summary>
    public string? TraceParentOf(string name)
    {
        var spool = _host.Services.GetRequiredService<DumpSpool>();
        return spool.Snapshot().Where(dump => dump.FileName == name).Select(dump => spool.Find(dump.DumpId)?.TraceParent).FirstOrDefault();
    }

    /// <summary>Whether the OpenTelemetry SDK's meter provider runs in this relay.</summary>
    public bool HasMeterProvider => _host.Services.GetService<MeterProvider>() is not null;

    public string DataDirectory { get; }

    /// <summary>A client socket with a WRQ answered: connected to the transfer's own port, block 1 next.</summary>
    public Socket OpenTransfer(string name)
    {
        var client = NewClient();
        Request(client, name);
        return client;
    }

    public static Socket NewClient()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 5000;
        return client;
    }

    /// <summary>Sends a WRQ, waits for ACK 0 and connects the client to the transfer's port.</summary>
    public int Request(Socket client, string name)
    {
        client.SendTo(WriteRequest(name), EndPoint);
        var ack = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var received = client.ReceiveFrom(ack, ref from);
        client.Connect(from);
        return received;
    }

    public static byte[] WriteRequest(string name) =>
        [0, 2, .. System.Text.Encoding.ASCII.GetBytes(name), 0, .. "octet\0features\0"u8.ToArray(), 0, 0, 0, 3, 0, 0, 0x05, 0x7E];

    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
