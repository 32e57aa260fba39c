namespace KDumpCloud.Relay.Tests.Support;

internal static class TestContent
{
    /// <summary>Seeded random bytes: the same seed gives the same content, so a test can rebuild what it sent.</summary>
    public static byte[] Random(int length, int seed)
    {
        var content = new byte[length];
        new System.Random(seed).NextBytes(content);
        return content;
    }
}
