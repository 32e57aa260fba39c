using KDumpCloud.Relay.Options;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Retention;

/// <summary>The DataAnnotations checks of <see cref="RetentionOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class RetentionOptionsAnnotationsValidator : IValidateOptions<RetentionOptions>;

/// <summary>What attributes can't say: the headroom must fit in the spool.</summary>
internal sealed class RetentionOptionsValidator(IOptions<RelayOptions> relay) : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var quota = relay.Value.SpoolQuotaBytes;
        return options.HeadroomBytes >= quota
            ? ValidateOptionsResult.Fail(
                $"Retention:HeadroomBytes ({options.HeadroomBytes}) is not smaller than Relay:SpoolQuotaBytes ({quota}): " +
                "no uploaded dump could ever stay in the spool.")
            : ValidateOptionsResult.Success;
    }
}
