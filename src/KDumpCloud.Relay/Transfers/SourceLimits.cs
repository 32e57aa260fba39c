using System.Net;
using System.Threading.RateLimiting;
using KDumpCloud.Relay.Options;

namespace KDumpCloud.Relay.Transfers;

/// <summary>
/// What one Mac address may ask of the relay: write requests per second, dumps per hour and transfers at once, and
/// what all of them together may hold. A Mac dumps one file at a time and, on a refusal, retransmits its WRQ 14 times
/// (kdump-protocol.md §9, §11.1); anything far beyond that is a fault or an attack, and must not create files,
/// threads or sockets without bound.
/// </summary>
internal sealed class SourceLimits : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _requests;
    private readonly PartitionedRateLimiter<IPAddress> _dumps;
    private readonly PartitionedRateLimiter<IPAddress> _transfersPerSource;
    private readonly ConcurrencyLimiter _transfers;

    public SourceLimits(RelayOptions options)
    {
        var requestsPerSecond = options.WriteRequestsPerSecondPerSource;
        _requests = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(
            address, _ => new TokenBucketRateLimiterOptions
            {
                // A burst of twice the rate lets a refused Mac's 14 quick retransmissions through, then throttles.
                TokenLimit = Math.Max(1, requestsPerSecond * 2),
                TokensPerPeriod = requestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                AutoReplenishment = false,
                QueueLimit = 0,
            }));
        var dumpsPerHour = options.DumpsPerHourPerSource;
        _dumps = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(
            address, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = dumpsPerHour,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromHours(1) / dumpsPerHour,
                AutoReplenishment = false,
                QueueLimit = 0,
            }));
        var perSource = options.MaxTransfersPerSource;
        _transfersPerSource = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetConcurrencyLimiter(
            address, _ => new ConcurrencyLimiterOptions { PermitLimit = perSource, QueueLimit = 0 }));
        _transfers = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.MaxConcurrentTransfers, QueueLimit = 0 });
    }

    /// <summary>Whether a WRQ from <paramref name="source"/> is heard at all; the rest are dropped without a reply,
    /// which costs a flood nothing to send and the relay nothing to answer.</summary>
    public bool TryAdmitRequest(IPAddress source)
    {
        using var lease = _requests.AttemptAcquire(source);
        return lease.IsAcquired;
    }

    /// <summary>Takes a transfer slot, overall and for <paramref name="source"/>, and one of its dumps for the hour.
    /// Returns the slot to release when the transfer stops receiving, or null with the limit that said no.</summary>
    public TransferSlot? TryAdmitTransfer(IPAddress source, out SourceLimit limit)
    {
        var overall = _transfers.AttemptAcquire();
        if (!overall.IsAcquired)
        {
            overall.Dispose();
            limit = SourceLimit.Transfers;
            return null;
        }

        var perSource = _transfersPerSource.AttemptAcquire(source);
        if (!perSource.IsAcquired)
        {
            perSource.Dispose();
            overall.Dispose();
            limit = SourceLimit.TransfersPerSource;
            return null;
        }

        // Only looked at here: the dump is counted once its transfer runs (CountDump), so a request refused on the way
        // ("File exists", which the kernel retries 14 times) spends none of the Mac's hourly dumps.
        if (_dumps.GetStatistics(source) is { CurrentAvailablePermits: <= 0 })
        {
            perSource.Dispose();
            overall.Dispose();
            limit = SourceLimit.DumpsPerHour;
            return null;
        }

        limit = SourceLimit.None;
        return new TransferSlot(overall, perSource);
    }

    /// <summary>Counts a dump <paramref name="source"/> started, against its hourly allowance.</summary>
    public void CountDump(IPAddress source)
    {
        using var _ = _dumps.AttemptAcquire(source);
    }

    public void Dispose()
    {
        _requests.Dispose();
        _dumps.Dispose();
        _transfersPerSource.Dispose();
        _transfers.Dispose();
    }
}

/// <summary>Which limit refused a transfer.</summary>
internal enum SourceLimit
{
    None,
    Transfers,
    TransfersPerSource,
    DumpsPerHour,
}

/// <summary>A running transfer's place under <see cref="SourceLimits"/>; disposing it (once) frees the place.</summary>
internal sealed class TransferSlot(RateLimitLease overall, RateLimitLease perSource) : IDisposable
{
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            perSource.Dispose();
            overall.Dispose();
        }
    }
}
