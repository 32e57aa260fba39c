namespace KDumpCloud.Panics.Cores;

/// <summary>
/// Collects a NUL-terminated string that may straddle read chunks, up to a fixed limit (bounded memory). The buffer is
/// made when the first bytes arrive, so a capture whose text never comes (a note pointing past the end) costs nothing.
/// </summary>
internal sealed class TextCapture(int limit, byte terminator = 0)
{
    private byte[]? _data;

    public int Limit => limit;
    public int Length { get; private set; }
    public bool Started { get; private set; }
    public bool Complete { get; private set; }

    /// <summary>Appends from <paramref name="bytes"/> up to the terminator or the limit.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        Started = true;
        if (Complete)
        {
            return;
        }

        var end = bytes.IndexOf((byte)0);
        if (terminator != 0)
        {
            var alternative = bytes.IndexOf(terminator);
            end = end < 0 ? alternative : alternative < 0 ? end : Math.Min(end, alternative);
        }

        Copy(bytes[..Math.Min(end < 0 ? bytes.Length : end, limit - Length)]);
        Complete = end >= 0 || Length == limit;
    }

    /// <summary>Appends binary payload bytes, NULs included, until the limit.</summary>
    public void AppendRaw(ReadOnlySpan<byte> bytes)
    {
        Started = true;
        Copy(bytes[..Math.Min(bytes.Length, limit - Length)]);
        Complete = Length == limit;
    }

    public string? Text => Started ? System.Text.Encoding.UTF8.GetString(_data ?? [], 0, Length) : null;

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        _data ??= new byte[limit];
        bytes.CopyTo(_data.AsSpan(Length));
        Length += bytes.Length;
    }
}
