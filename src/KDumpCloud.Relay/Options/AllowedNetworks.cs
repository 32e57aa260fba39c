using System.Net;

namespace KDumpCloud.Relay.Options;

/// <summary>The parsed <see cref="RelayOptions.AllowedNetworks"/>: who may dump to this relay.</summary>
internal sealed class AllowedNetworks(IReadOnlyList<IPNetwork> networks)
{
    public static AllowedNetworks From(RelayOptions options) =>
        new(options.AllowedNetworks.Select(cidr => IPNetwork.Parse(cidr)).ToArray());

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => string.Join(", ", networks);
}
