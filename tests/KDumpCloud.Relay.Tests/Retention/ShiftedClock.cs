namespace KDumpCloud.Relay.Tests.Retention;

/// <summary>The system clock with the wall-clock time moved on by <see cref="Shift"/>: days pass for the relay's
/// dates (upload times, retention ages) while its timers and timestamps run in real time, so transfers behave.</summary>
internal sealed class ShiftedClock : TimeProvider
{
    private long _shiftTicks;

    public TimeSpan Shift => TimeSpan.FromTicks(Interlocked.Read(ref _shiftTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}
