namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// The kernel's retransmission clock (kdump-protocol.md §11.1). It counts 3 ms polls, and any frame ends a poll
/// early, so these are upper bounds: 3500 polls after a WRQ, 2500 after DATA/SEEK/EOF, 1000 after a timeout or an
/// ERROR; after a timeout it spins (tretries % 4) × 100 ms before retransmitting; after 14 transmissions of one
/// packet it gives up ("Cannot contact panic server, timing out").
/// </summary>
/// <param name="WriteRequestWait">First wait after a WRQ (10.5 s).</param>
/// <param name="PacketWait">First wait after DATA, SEEK or EOF (7.5 s).</param>
/// <param name="RetryWait">Wait after a timeout or an ERROR (3 s).</param>
/// <param name="SpinStep">The spin unit before a retransmission after a timeout (100 ms, <c>panic_timeout</c>).</param>
public sealed record KernelTimeouts(TimeSpan WriteRequestWait, TimeSpan PacketWait, TimeSpan RetryWait, TimeSpan SpinStep)
{
    /// <summary>The kernel gives up when <c>tretries</c> reaches 15, i.e. after 14 transmissions of one packet.</summary>
    public const int MaxTransmissions = 14;

    /// <summary>The real kernel's budgets.</summary>
    public static KernelTimeouts Kernel { get; } = new(
        TimeSpan.FromMilliseconds(3500 * 3), TimeSpan.FromMilliseconds(2500 * 3),
        TimeSpan.FromMilliseconds(1000 * 3), TimeSpan.FromMilliseconds(100));

    /// <summary>Every budget divided by 50, for tests: 210 ms, 150 ms, 60 ms, 2 ms steps.</summary>
    public static KernelTimeouts Fast { get; } = Kernel.Scaled(50);

    /// <summary>Every budget divided by <paramref name="divisor"/>.</summary>
    public KernelTimeouts Scaled(double divisor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        return new(WriteRequestWait / divisor, PacketWait / divisor, RetryWait / divisor, SpinStep / divisor);
    }

    /// <summary>The spin before retransmission number <paramref name="transmissionsSoFar"/> + 1 after a timeout:
    /// (tretries % 4) × step, i.e. 100, 200, 300, 0, 100 … ms.</summary>
    public TimeSpan SpinBeforeRetransmit(int transmissionsSoFar) => SpinStep * (transmissionsSoFar % 4);
}
