using System.Threading.Channels;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// A consumer's feed of dumps as they start in the spool (each a <see cref="DumpProgress"/> to follow). The spool
/// never waits on it: when a consumer falls so far behind that <see cref="Capacity"/> starts are queued, later
/// ones are not queued and <see cref="Overflowed"/> says so; the consumer then catches up from
/// <see cref="DumpSpool.Snapshot"/>, which lists every dump the spool holds.
/// </summary>
public sealed class SpoolSubscription : IDisposable
{
    public const int Capacity = 4096;

    private readonly Channel<DumpProgress> _started = Channel.CreateBounded<DumpProgress>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Action<SpoolSubscription> _unsubscribe;
    private int _overflowed;

    internal SpoolSubscription(Action<SpoolSubscription> unsubscribe) => _unsubscribe = unsubscribe;

    public ChannelReader<DumpProgress> Started => _started.Reader;

    /// <summary>Some starts were not queued since the last <see cref="ResetOverflow"/>.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) != 0;

    /// <summary>Call before reading the snapshot that catches up, so an overflow after it is seen again.</summary>
    public void ResetOverflow() => Volatile.Write(ref _overflowed, 0);

    internal void Publish(DumpProgress progress)
    {
        if (!_started.Writer.TryWrite(progress))
        {
            Volatile.Write(ref _overflowed, 1);
        }
    }

    public void Dispose()
    {
        _started.Writer.TryComplete();
        _unsubscribe(this);
    }
}
