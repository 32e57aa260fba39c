using System.Text;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Relay.Spool;

/// <summary>
/// Which names a Mac may ask for. kdumpd refuses <c>/</c> and <c>..</c> anywhere (kdump-protocol.md §10); we also
/// refuse control characters, a leading dot and over-long names, so a name is always one plain file in the
/// dumps folder and a safe blob name later.
/// </summary>
internal static class DumpFileNames
{
    /// <summary>NAME_MAX is 255 bytes; the journal adds ".json". xnu's own limit is 100 (§14).</summary>
    public const int MaxUtf8Bytes = 200;

    public static bool TryValidate(string name, out KdumpErrorCode code, out string problem)
    {
        code = KdumpErrorCode.AccessViolation;
        if (name.Length == 0)
        {
            problem = "the file name is empty";
            return false;
        }

        if (name.Contains('/') || name.Contains("..", StringComparison.Ordinal))
        {
            problem = "the file name contains '/' or '..'";
            return false;
        }

        if (name.Any(char.IsControl))
        {
            problem = "the file name contains control characters";
            return false;
        }

        if (name[0] == '.')
        {
            problem = "the file name starts with '.'";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxUtf8Bytes)
        {
            problem = $"the file name is longer than {MaxUtf8Bytes} bytes";
            return false;
        }

        code = KdumpErrorCode.Undefined;
        problem = string.Empty;
        return true;
    }

    /// <summary>A name safe to print in a log line, whatever the Mac sent.</summary>
    public static string ForLog(string name)
    {
        var printable = new StringBuilder(Math.Min(name.Length, 120));
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, 120)))
        {
            printable.Append(char.IsControl(c) ? '?' : c);
        }

        return printable.ToString();
    }
}
