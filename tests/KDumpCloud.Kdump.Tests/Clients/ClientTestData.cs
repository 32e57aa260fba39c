using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Tests.Clients;

internal static class ClientTestData
{
    /// <summary>43 characters, the case measured against kdumpd in kdump-protocol.md §8.3.</summary>
    public const string PanicLogName = "paniclog-xnu-2782.1.97-10.0.40.7-8e1d2c0000";

    public static byte[] RandomContent(int length, int seed)
    {
        var content = new byte[length];
        new Random(seed).NextBytes(content);
        return content;
    }

    /// <summary>What kdumpd accepts for each generation's WRQ: mask &amp; 3, nothing without the features string (§4.3).</summary>
    public static KdumpFeatures ServerAccepts(KernelGeneration generation)
    {
        var profile = KernelProfile.For(generation);
        return profile.SendsFeatures ? profile.AdvertisedFeatures : KdumpFeatures.None;
    }

    public static TheoryData<KernelGeneration> Generations()
    {
        var data = new TheoryData<KernelGeneration>();
        foreach (var generation in Enum.GetValues<KernelGeneration>())
        {
            data.Add(generation);
        }

        return data;
    }
}
