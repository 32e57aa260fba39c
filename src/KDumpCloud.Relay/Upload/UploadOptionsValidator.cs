using KDumpCloud.Relay.Options;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Upload;

/// <summary>The DataAnnotations checks of <see cref="UploadOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class UploadOptionsAnnotationsValidator : IValidateOptions<UploadOptions>;

/// <summary>What attributes can't say: the block count a largest dump needs.</summary>
internal sealed class UploadOptionsValidator(IOptions<RelayOptions> relay) : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        var blocks = (relay.Value.MaxDumpBytes + options.BlockSizeBytes - 1) / options.BlockSizeBytes;
        return blocks > UploadOptions.MaxBlocksPerBlob
            ? ValidateOptionsResult.Fail(
                $"Upload:BlockSizeBytes ({options.BlockSizeBytes}) is too small for Relay:MaxDumpBytes ({relay.Value.MaxDumpBytes}): " +
                $"a largest dump would need {blocks} blocks and a blob holds at most {UploadOptions.MaxBlocksPerBlob}.")
            : ValidateOptionsResult.Success;
    }
}
