namespace KDumpCloud.Relay.Spool;

/// <summary>
/// A cue from the spool to one later stage that something changed and it should look again (retention: the spool
/// was refused space, or a dump's journal changed). Raising it never blocks and costs a few field reads, so the
/// listener and transfers may raise it on their own threads; raises between two waits count as one.
/// </summary>
public sealed class SpoolSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the waiter, or the next wait when no one waits now.</summary>
    public void Raise() => Volatile.Read(ref _next).TrySetResult();

    /// <summary>Completes at the next <see cref="Raise"/>, or at once when one came since the last wait (which it
    /// consumes). For a single waiter: the waiter looks at the spool after this completes, so a raise that lands
    /// while it looks is kept for its next wait.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _next);
        if (!current.Task.IsCompleted)
        {
            return current.Task.WaitAsync(cancellationToken);
        }

        Interlocked.CompareExchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        return Task.CompletedTask;
    }
}
