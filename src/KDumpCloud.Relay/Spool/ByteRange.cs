namespace KDumpCloud.Relay.Spool;

/// <summary>The bytes [<see cref="Offset"/>, <see cref="End"/>) of a dump file.</summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    public long End => Offset + Length;

    public override string ToString() => $"[{Offset}, {End})";
}
