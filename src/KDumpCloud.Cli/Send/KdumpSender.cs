using System.Net.Sockets;
using KDumpCloud.Kdump.Clients;

namespace KDumpCloud.Cli.Send;

/// <summary>
/// Dumps to a relay over real UDP the way a panicking Mac's kernel does (kdump-protocol.md §4, §6, §11.1): the WRQ
/// to the server port, every later packet to the port the replies come from, stop-and-wait with 32-bit blocks, and
/// the kernel's retransmission rules and 14-transmission limit. Each send runs on its own thread with blocking
/// socket calls, which keeps the round trip as short as the client can make it.
/// </summary>
public sealed class KdumpSender
{
    private readonly KdumpSendOptions _options;

    public KdumpSender(KdumpSendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Server);
        ArgumentException.ThrowIfNullOrEmpty(options.FileName);
        if (options.Server.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("The kernel dumps over IPv4 only (kdump-protocol.md §1).", nameof(options));
        }

        if (options.LossProbability is < 0 or >= 1 || options.DuplicateProbability is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Loss and duplication probabilities are in [0, 1).");
        }

        if (options.Kind == DumpKind.SystemLog && !KernelProfile.For(options.Generation).SupportsSystemLog)
        {
            throw new ArgumentException($"{options.Generation} kernels send no systemlog dumps.", nameof(options));
        }

        _options = options;
    }

    /// <summary>Runs the dump to its end: completed, refused, timed out, or cancelled (returned, not thrown).</summary>
    public Task<KdumpSendResult> SendAsync(CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(
            () => new SenderRun(_options, cancellationToken).Run(),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
}
