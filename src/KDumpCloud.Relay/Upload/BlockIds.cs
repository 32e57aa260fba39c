using System.Globalization;
using System.Text;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// Block ids from the block index alone, so that a block staged again (a SEEK rewrote it, or a restarted relay
/// resumes) replaces the one the service holds. All ids of a blob must have the same length: the index is written
/// as six decimal digits (a blob holds at most 50,000 blocks) after a fixed prefix, then base64-encoded.
/// </summary>
internal static class BlockIds
{
    public static string For(long index)
    {
        if (index is < 0 or >= UploadOptions.MaxBlocksPerBlob)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"a blob holds at most {UploadOptions.MaxBlocksPerBlob} blocks");
        }

        return Convert.ToBase64String(Encoding.ASCII.GetBytes("kdump-" + index.ToString("D6", CultureInfo.InvariantCulture)));
    }

    /// <summary>The blocks of a dump of <paramref name="length"/> bytes (none for an empty one).</summary>
    public static long Count(long length, int blockSize) => (length + blockSize - 1) / blockSize;

    /// <summary>The ids of every block of a dump of <paramref name="length"/> bytes, in order.</summary>
    public static IReadOnlyList<string> All(long length, int blockSize)
    {
        var count = Count(length, blockSize);
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = For(i);
        }

        return ids;
    }
}
