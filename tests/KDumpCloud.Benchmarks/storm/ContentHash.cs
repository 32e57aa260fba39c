using System.Security.Cryptography;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>SHA-256 as lower-case hex, of bytes or of a file in the spool.</summary>
internal static class ContentHash
{
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The file's hash, or null if it is missing or unreadable.</summary>
    public static string? FileSha256Hex(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
