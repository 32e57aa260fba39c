using System.Globalization;
using KDumpCloud.Relay.Retention;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Tests.Support;
using KDumpCloud.Relay.Tests.Upload;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Retention;

/// <summary>What the retention tests share: small dumps sent over loopback and waited for until uploaded.</summary>
internal static class RetentionTestSupport
{
    /// <summary>Small enough for a spool of a few hundred KiB; <c>Relay:SpoolQuotaBytes</c> must be at least this.</summary>
    public const long MaxDumpBytes = 256 << 10;

    public static Dictionary<string, string?> Settings(UploadTarget target, Dictionary<string, string?> more)
    {
        var settings = target.Settings(new() { ["Relay:MaxDumpBytes"] = Text(MaxDumpBytes) });
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static SpoolRetention Retention(this RelayUnderTest relay) => relay.Services.GetRequiredService<SpoolRetention>();

    /// <summary>Sends a whole dump as a modern Mac would and waits until its ingest message is recorded sent.</summary>
    public static async Task<DumpJournal> SendUntilUploadedAsync(this RelayUnderTest relay, string name, int length, int seed)
    {
        using var mac = new RawKdumpPeer(relay.EndPoint);
        await mac.SendAllAsync(name, TestContent.Random(length, seed));
        return await UploadTarget.WaitUntilSentAsync(relay, name, timeoutMs: 30_000);
    }

    /// <summary>The dump's file and its journal are both still on disk.</summary>
    public static bool Holds(this RelayUnderTest relay, string name) =>
        File.Exists(relay.DumpPath(name)) && File.Exists(relay.Spool.JournalPath(name));

    /// <summary>The room left under the quota.</summary>
    public static long RoomUnderQuota(this RelayUnderTest relay, long quota) => quota - relay.Spool.UsedBytes;
}
