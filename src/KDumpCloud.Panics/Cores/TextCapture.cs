namespace KDumpCloud.Panics.Cores;

/// <summary>Collects a NUL-terminated string that may straddle read chunks, up to a fixed limit (bounded memory).</summary>
internal sealed class TextCapture(int limit, byte terminator = 0)
{
    private readonly byte[] _data = new byte[limit];

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

        var take = Math.Min(end < 0 ? bytes.Length : end, _data.Length - Length);
        bytes[..take].CopyTo(_data.AsSpan(Length));
        Length += take;
        Complete = end >= 0 || Length == _data.Length;
    }

    /// <summary>Appends binary payload bytes, NULs included, until the limit.</summary>
    public void AppendRaw(ReadOnlySpan<byte> bytes)
    {
        Started = true;
        var take = Math.Min(bytes.Length, _data.Length - Length);
        bytes[..take].CopyTo(_data.AsSpan(Length));
        Length += take;
        Complete = Length == _data.Length;
    }

    public string? Text => Started ? System.Text.Encoding.UTF8.GetString(_data, 0, Length) : null;
}
