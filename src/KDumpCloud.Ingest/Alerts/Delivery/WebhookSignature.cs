using System.Security.Cryptography;
using System.Text;

namespace KDumpCloud.Ingest.Alerts.Delivery;

/// <summary>
/// The JSON webhook's signature: <c>X-KDumpCloud-Signature: sha256=&lt;hex&gt;</c>, the HMAC-SHA256 with the sink's
/// secret of <c>&lt;X-KDumpCloud-Timestamp&gt;.&lt;body&gt;</c> (the timestamp is Unix seconds; a receiver refuses
/// old ones to stop replays, and compares in constant time).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-KDumpCloud-Signature";
    public const string TimestampHeader = "X-KDumpCloud-Timestamp";
    public const string DeliveryHeader = "X-KDumpCloud-Delivery";

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(byte[] secret, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        var prefix = Encoding.ASCII.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed));
    }

    /// <summary>Whether <paramref name="header"/> is the signature of <paramref name="body"/> (constant-time).</summary>
    public static bool Verify(byte[] secret, string timestamp, ReadOnlySpan<byte> body, string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header));
    }
}
