namespace KDumpCloud.Relay.Operations;

/// <summary>
/// Says whether the spool's recovery at start has run. The host starts hosted services one after another in the order
/// they were registered (the relay does not set <c>HostOptions.ServicesStartConcurrently</c>), and this one is
/// registered after <c>SpoolRecovery</c> (<c>AddKdumpRelay</c> comes first), so its start means recovery finished.
/// Hashes recovery queued run in the background afterwards and do not hold readiness back.
/// </summary>
internal sealed class SpoolRecoveryMark : IHostedService
{
    private volatile bool _done;

    public bool IsDone => _done;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _done = true;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
