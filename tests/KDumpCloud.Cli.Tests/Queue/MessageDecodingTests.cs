using System.Text;
using KDumpCloud.Cli.Queue;

namespace KDumpCloud.Cli.Tests.Queue;

/// <summary>The worker's own base64 decoding of a raw queue message (untrusted input).</summary>
public sealed class MessageDecodingTests
{
    [Fact]
    public void Base64OfUtf8Json_DecodesToTheJson()
    {
        const string Json = "{\"dumpId\":\"x\",\"fileName\":\"paniclog-é\"}";

        Assert.True(IngestQueueWorker.TryDecode(Convert.ToBase64String(Encoding.UTF8.GetBytes(Json)), out var body));
        Assert.Equal(Json, body);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("abc")]
    [InlineData("{\"dumpId\":1}")]
    public void NotBase64_IsRefused(string raw) => Assert.False(IngestQueueWorker.TryDecode(raw, out _));

    [Fact]
    public void Base64OfBytesThatAreNotUtf8_IsRefused() =>
        Assert.False(IngestQueueWorker.TryDecode(Convert.ToBase64String([0xC3, 0x28, 0xFF, 0xFE]), out _));

    [Fact]
    public void EmptyMessage_DecodesToAnEmptyBody()
    {
        Assert.True(IngestQueueWorker.TryDecode(string.Empty, out var body));
        Assert.Equal(string.Empty, body);
    }

    [Fact]
    public void LongestQueueMessage_DecodesInOnePass()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('a', 48 * 1024));

        Assert.True(IngestQueueWorker.TryDecode(Convert.ToBase64String(bytes), out var body));
        Assert.Equal(48 * 1024, body.Length);
    }
}
