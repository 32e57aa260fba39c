using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Options;

/// <summary>The DataAnnotations checks, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class RelayOptionsAnnotationsValidator : IValidateOptions<RelayOptions>;

/// <summary>What attributes can't say: addresses, networks and the data directory.</summary>
internal sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.BindAddress, out var bind) || bind.AddressFamily != AddressFamily.InterNetwork)
        {
            failures.Add($"Relay:BindAddress '{options.BindAddress}' is not an IPv4 address (the kdump protocol is IPv4 only); use 0.0.0.0 for every address.");
        }

        foreach (var cidr in options.AllowedNetworks)
        {
            if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                failures.Add($"Relay:AllowedNetworks entry '{cidr}' is not an IPv4 CIDR range such as 10.0.0.0/8.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory) || options.DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"Relay:DataDirectory '{options.DataDirectory}' is not a usable path.");
        }

        if (options.SpoolQuotaBytes < options.MaxDumpBytes)
        {
            failures.Add($"Relay:SpoolQuotaBytes ({options.SpoolQuotaBytes}) is smaller than Relay:MaxDumpBytes ({options.MaxDumpBytes}); one full dump could never fit.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
