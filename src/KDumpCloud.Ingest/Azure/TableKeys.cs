using System.Globalization;
using System.Text;

namespace KDumpCloud.Ingest.Azure;

/// <summary>
/// Partition and row keys of the two tables. Table keys may not contain <c>/ \ # ?</c> or control characters and are
/// at most 1 KiB, while group ids come from people (<c>crashes merge</c>) as well as from the fingerprinter: ids are
/// escaped (those characters and <c>%</c> become <c>%XXXX</c>), which is injective, and bounded in length.
/// </summary>
internal static class TableKeys
{
    /// <summary>Every group row is in this one partition: listing groups is one partition query, and a merge is one
    /// entity-group transaction over it.</summary>
    public const string GroupsPartition = "groups";

    /// <summary>The row key of an occurrence's own row (its partition is its dump id).</summary>
    public const string OccurrenceRow = "occurrence";

    /// <summary>Longest group id accepted; escaped, it still fits a 1 KiB key.</summary>
    public const int MaxGroupIdLength = 128;

    /// <summary>The row key of group <paramref name="groupId"/> in <see cref="GroupsPartition"/>.</summary>
    /// <exception cref="ArgumentException">The id is empty or longer than <see cref="MaxGroupIdLength"/>.</exception>
    public static string GroupRow(string groupId)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        if (groupId.Length > MaxGroupIdLength)
        {
            throw new ArgumentException($"a group id is at most {MaxGroupIdLength} characters", nameof(groupId));
        }

        var escaped = new StringBuilder(groupId.Length);
        foreach (var c in groupId)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                escaped.Append('%').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>The partition of a dump's own occurrence row: point reads and the duplicate-key insert.</summary>
    public static string DumpPartition(Guid dumpId) => "dump_" + dumpId.ToString("D");

    /// <summary>The partition that lists a group's occurrences.</summary>
    public static string GroupPartition(string groupId) => "group_" + GroupRow(groupId);

    /// <summary>Inverted receive time, then the dump id: a partition query returns a group's occurrences newest first.</summary>
    public static string IndexRow(DateTimeOffset receivedAt, Guid dumpId) =>
        (DateTimeOffset.MaxValue.UtcTicks - receivedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "_" + dumpId.ToString("D");
}
